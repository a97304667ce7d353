//! Read throughput of the real server against PostgreSQL's own: `GET
//! /schemas/{id}` of `examples/ecommerce.json` at 32 concurrent keep-alive
//! clients, against `pgbench -S -c 32` on the same PostgreSQL, alternating
//! in one run; and the server's resident memory under that load.
//!
//! Run with `scripts/bench-reads.sh` (it builds the release server first),
//! or build `schemaforge-server` in release and run
//! `cargo bench -p schemaforge-tests --bench reads`. `READS_BENCH_ROUNDS`
//! (default 3) and `READS_BENCH_SECS` (default 10) set the rounds and their
//! length; `SCHEMAFORGE_SERVER_BIN` the server binary (default
//! `target/release/schemaforge-server`). It needs the test server
//! (SCHEMAFORGE_TEST_DATABASE_URL) and `pgbench` on PATH. Figures are in
//! docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code

use std::cell::Cell;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use schemaforge_testdb::TestDb;

const CLIENTS: usize = 32;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Resident set size of `pid` now, and its peak, in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(bin: &PathBuf, database_url: &str, port: u16) -> Server {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let child = Command::new(bin)
        .env("SCHEMAFORGE_CONFIG_DIR", root.join("config"))
        .env("SCHEMAFORGE__DATABASE__URL", database_url)
        .env("SCHEMAFORGE__SERVER__PORT", port.to_string())
        .env("SCHEMAFORGE__LOG__LEVEL", "warn")
        .env("SCHEMAFORGE__RATE_LIMIT__ACCOUNT_PER_MINUTE", "0")
        .env("SCHEMAFORGE__RATE_LIMIT__AUTH_PER_MINUTE", "0")
        .env("SCHEMAFORGE__PROVISIONING__SWEEP_INTERVAL_SECS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    Server(child)
}

/// `pgbench -S` for `secs` seconds; its tps (without connection time).
fn pgbench(url: &str, secs: u64) -> f64 {
    let out = Command::new("pgbench")
        .args(["-S", "-n", "-c", &CLIENTS.to_string(), "-j", "2", "-T", &secs.to_string(), url])
        .output()
        .expect("pgbench on PATH");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no tps in pgbench's output:\n{text}\n{}", String::from_utf8_lossy(&out.stderr)))
}

/// 32 keep-alive clients reading `url` for `secs` seconds; requests/s and
/// the server's peak RSS seen meanwhile.
async fn http_load(url: &str, token: &str, secs: u64, pid: u32) -> (f64, f64) {
    let done = Rc::new(Cell::new(0u64));
    let failed = Rc::new(Cell::new(0u64));
    let peak = Rc::new(Cell::new(0f64));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .connector(awc::Connector::new().limit(CLIENTS))
        .finish();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, token, done, failed) =
            (client.clone(), url.to_string(), token.to_string(), done.clone(), failed.clone());
        tasks.push(actix_web::rt::spawn(async move {
            while Instant::now() < deadline {
                match client.get(&url).bearer_auth(&token).send().await {
                    Ok(mut res) if res.status().is_success() => match res.body().limit(1 << 20).await {
                        Ok(body) if !body.is_empty() => done.set(done.get() + 1),
                        _ => failed.set(failed.get() + 1),
                    },
                    _ => failed.set(failed.get() + 1),
                }
            }
        }));
    }
    let sampler = {
        let peak = peak.clone();
        actix_web::rt::spawn(async move {
            while Instant::now() < deadline {
                peak.set(peak.get().max(rss_mib(pid).0));
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    sampler.await.unwrap();
    assert_eq!(failed.get(), 0, "failed requests");
    (done.get() as f64 / secs as f64, peak.get())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = env_or("READS_BENCH_ROUNDS", 3);
    let secs: u64 = env_or("READS_BENCH_SECS", 10);
    let bin = std::env::var_os("SCHEMAFORGE_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/schemaforge-server"));
    assert!(bin.exists(), "{} is missing: cargo build --release -p schemaforge-server", bin.display());

    let metadata = TestDb::create().unwrap();
    let bench_db = TestDb::create().unwrap();
    let init = Command::new("pgbench").args(["-i", "-q", "-s", "1", bench_db.url()]).output().expect("pgbench");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));

    let port = free_port();
    let server = start_server(&bin, metadata.url(), port);
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}/api/v1");

    actix_web::rt::System::new().block_on(async move {
        let client = awc::Client::default();
        let started = Instant::now();
        while client.get(format!("{base}/health")).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        let mut reg = client
            .post(format!("{base}/auth/register"))
            .send_json(&serde_json::json!({"email": "bench@example.com", "password": "correct horse battery"}))
            .await
            .unwrap();
        let token = reg.json::<serde_json::Value>().await.unwrap()["accessToken"].as_str().unwrap().to_string();
        let doc: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/ecommerce.json")).unwrap(),
        )
        .unwrap();
        let mut created = client.post(format!("{base}/schemas")).bearer_auth(&token).send_json(&doc).await.unwrap();
        let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let url = format!("{base}/schemas/{id}");
        let size = client.get(&url).bearer_auth(&token).send().await.unwrap().body().await.unwrap().len();
        println!("GET /schemas/{{id}} of ecommerce.json: {size} bytes; {CLIENTS} clients; {rounds} rounds of {secs} s");
        println!("round | pgbench -S tps | GET req/s | ratio | server RSS peak (MiB)");
        let (mut tps_all, mut rps_all, mut rss_all) = (Vec::new(), Vec::new(), Vec::new());
        // Warm both up once, unmeasured.
        pgbench(bench_db.url(), 2);
        http_load(&url, &token, 2, pid).await;
        for round in 1..=rounds {
            let tps = pgbench(bench_db.url(), secs);
            let (rps, rss) = http_load(&url, &token, secs, pid).await;
            println!("{round} | {tps:.0} | {rps:.0} | {:.3} | {rss:.1}", rps / tps);
            tps_all.push(tps);
            rps_all.push(rps);
            rss_all.push(rss);
        }
        let (tps, rps) = (median(tps_all), median(rps_all));
        let (_, hwm) = rss_mib(pid);
        println!(
            "median | {tps:.0} | {rps:.0} | {:.3} | {:.1} (VmHWM over the whole run: {hwm:.1})",
            rps / tps,
            median(rss_all)
        );
    });
    drop(server);
}

//! The broker behind the front door: a private mosquitto started here on a free
//! loopback port, stopped with the emulator (`--broker` names an external one instead).

use crate::ev;
use crate::log::q;
use crate::state::lock;
use std::io::{self, BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// The mosquitto started here, until `stop` takes it.
static CHILD: Mutex<Option<Child>> = Mutex::new(None);

const INSTALL: &str = "install mosquitto (Debian: apt-get install mosquitto), \
    or give --mosquitto PATH, or an external broker with --broker HOST:PORT";

pub struct Started {
    pub addr: SocketAddr,
    pub pid: u32,
    pub program: PathBuf,
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The mosquitto binary: `explicit`, else the first on PATH, else in /usr/sbin or
/// /usr/local/sbin (where Debian puts it, and often not on a user's PATH).
pub fn find(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = explicit {
        return if is_executable(p) {
            Ok(p.to_path_buf())
        } else {
            Err(format!(
                "--mosquitto {}: no such executable; {INSTALL}",
                p.display()
            ))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join("mosquitto"))
        .find(|p| is_executable(p))
        .ok_or_else(|| {
            format!("mosquitto not found on PATH nor in /usr/sbin, /usr/local/sbin: {INSTALL}")
        })
}

fn config(port: u16) -> String {
    // `user root` matters only when started as root: mosquitto would otherwise switch
    // to the user `mosquitto`. Information-level logging gives the "running" line.
    format!(
        "# written by iotmqtt-emulator\n\
         listener {port} 127.0.0.1\n\
         allow_anonymous true\n\
         persistence false\n\
         user root\n\
         log_dest stderr\n\
         log_type error\n\
         log_type warning\n\
         log_type notice\n\
         log_type information\n\
         connection_messages false\n"
    )
}

/// Starts mosquitto and returns once it accepts connections on its port.
pub fn start_mosquitto(program: &Path) -> Result<Started, String> {
    let mut last = String::new();
    for _ in 0..5 {
        // mosquitto cannot listen on port 0: take a free port and hand it over. Another
        // program may bind it first; mosquitto then exits and another port is tried.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free loopback port: {e}"))?
            .port();
        let dir =
            std::env::temp_dir().join(format!("iotmqtt-emulator-{}-{port}", std::process::id()));
        let conf = dir.join("mosquitto.conf");
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&conf, config(port)))
            .map_err(|e| format!("{}: {e}", conf.display()))?;
        let r = run(program, &conf, port);
        // Read once at start: nothing to leave behind, even if the emulator is killed.
        let _ = std::fs::remove_dir_all(&dir);
        match r {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(format!(
        "mosquitto ({}) did not start: {last}",
        program.display()
    ))
}

fn spawn(program: &Path, conf: &Path) -> io::Result<Child> {
    let mut cmd = Command::new(program);
    cmd.arg("-c")
        .arg(conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id();
        // Killed with the emulator even when the emulator gets SIGKILL. The signal comes
        // when the spawning thread ends: this runs on the main thread, which lasts.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                if libc::getppid() as u32 != parent {
                    return Err(io::Error::other("the emulator exited"));
                }
                Ok(())
            });
        }
    }
    cmd.spawn()
}

fn run(program: &Path, conf: &Path, port: u16) -> Result<Started, String> {
    let mut child =
        spawn(program, conf).map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let pid = child.id();
    let stderr = child.stderr.take().expect("piped stderr");
    // Lines go to the start-up check below while it waits, then into the emulator's log.
    let (tx, rx) = mpsc::channel::<String>();
    let _ = thread::Builder::new()
        .name("mosquitto-log".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Err(mpsc::SendError(line)) = tx.send(line) {
                    ev!("BROKER-LOG pid={pid} line={}", q(&line));
                }
            }
            exited(pid);
        });

    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut output: Vec<String> = Vec::new();
    let mut reachable: Option<Instant> = None;
    let fail = |child: &mut Child, output: &[String], why: String| {
        let _ = child.kill();
        let _ = child.wait();
        let tail = output[output.len().saturating_sub(5)..].join(" | ");
        Err(format!("{why}; its output: {}", q(&tail)))
    };
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return fail(&mut child, &output, format!("it exited ({status})"));
        }
        let running = output.iter().any(|l| l.ends_with(" running"));
        if reachable.is_none()
            && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
        {
            reachable = Some(Instant::now());
        }
        // Something listens on the port. It is this mosquitto once it says it runs (or,
        // should its words differ, once it has stayed up a moment: a lost bind exits).
        if let Some(t) = reachable {
            if running || t.elapsed() > Duration::from_millis(500) {
                break;
            }
        }
        if Instant::now() > deadline {
            return fail(
                &mut child,
                &output,
                format!("not listening on {addr} after 10 s"),
            );
        }
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(10)) {
            output.push(l);
        }
    }
    *lock(&CHILD) = Some(child);
    Ok(Started {
        addr,
        pid,
        program: program.to_path_buf(),
    })
}

/// mosquitto closed its output: it has exited, unless `stop` is under way.
fn exited(pid: u32) {
    let mut slot = lock(&CHILD);
    let Some(child) = slot.as_mut().filter(|c| c.id() == pid) else {
        return;
    };
    for _ in 0..100 {
        if let Ok(Some(status)) = child.try_wait() {
            *slot = None;
            // Later CONNECTs are refused as internal failures (broker unreachable).
            ev!("BROKER-EXIT pid={pid} status={}", q(&status.to_string()));
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Kills and reaps the mosquitto started here, if any.
pub fn stop() {
    let child = lock(&CHILD).take();
    if let Some(mut c) = child {
        let _ = c.kill();
        let _ = c.wait();
    }
}

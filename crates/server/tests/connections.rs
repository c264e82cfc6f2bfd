//! The serve loop on a real socket: a client whose request headers never
//! finish is closed after the header timeout, connections beyond the limit
//! wait to be accepted, one client's connections beyond its share are
//! closed, and a run's event stream outlasts the header timeout and a
//! graceful shutdown (docs/ROBUSTNESS.md).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use loophole_server::{serve_with, AppState, Connections};
use loophole_store::Store;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), loophole_server::ServerError>>,
}

impl Server {
    async fn start(limits: Connections) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(Store::open_in_memory().unwrap()).unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_with(
            listener,
            state,
            async {
                let _ = stopped.await;
            },
            limits,
        ));
        Server { addr, stop, task }
    }

    /// Asks for a graceful shutdown and waits for it to finish.
    async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("shuts down")
            .unwrap()
            .unwrap();
    }
}

/// Sends `request` and reads one answer (head and `Content-Length` body),
/// leaving the connection open.
async fn exchange(stream: &mut TcpStream, request: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .expect("a content length");
            if buf.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

fn get(addr: SocketAddr, path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n")
}

#[tokio::test]
async fn headers_that_never_finish_are_closed_after_the_header_timeout() {
    let timeout = Duration::from_secs(1);
    let server = Server::start(Connections {
        header_read_timeout: timeout,
        ..Connections::default()
    })
    .await;
    let addr = server.addr;

    let started = Instant::now();
    let mut slow = TcpStream::connect(addr).await.unwrap();
    // Everything but the blank line that ends the headers.
    slow.write_all(format!("GET /api/levels/boat-race HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
        .await
        .unwrap();
    let mut silent = TcpStream::connect(addr).await.unwrap();

    // Meanwhile an ordinary client is answered, twice on one connection.
    let mut client = TcpStream::connect(addr).await.unwrap();
    for _ in 0..2 {
        let answer = exchange(&mut client, &get(addr, "/api/levels/boat-race")).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("\"id\":\"boat-race\""));
    }

    for stream in [&mut slow, &mut silent] {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
            .await
            .expect("the connection is closed within the timeout");
        // Closed (or reset) without an answer.
        if closed.is_ok() {
            assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
        }
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= timeout - Duration::from_millis(100),
        "{elapsed:?}"
    );
    assert!(elapsed < timeout * 4, "{elapsed:?}");

    // An idle kept-alive connection is closed after the timeout as well.
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut rest))
        .await
        .expect("an idle connection is closed")
        .unwrap();
    assert!(rest.is_empty());

    server.stop().await;
}

#[tokio::test]
async fn beyond_the_connection_limit_the_server_waits_to_accept() {
    let server = Server::start(Connections {
        header_read_timeout: Duration::from_secs(30),
        max_connections: 2,
        ..Connections::default()
    })
    .await;
    let addr = server.addr;
    let request = get(addr, "/api/levels/boat-race");

    let mut first = TcpStream::connect(addr).await.unwrap();
    let mut second = TcpStream::connect(addr).await.unwrap();
    for stream in [&mut first, &mut second] {
        assert!(exchange(stream, &request)
            .await
            .starts_with("HTTP/1.1 200 OK"));
    }
    // The third connects (the operating system queues it) but is not served...
    let mut third = TcpStream::connect(addr).await.unwrap();
    let third_request = request.clone();
    let waiting = async move {
        let answer = exchange(&mut third, &third_request).await;
        (answer, third)
    };
    let mut waiting = std::pin::pin!(waiting);
    assert!(
        tokio::time::timeout(Duration::from_millis(700), waiting.as_mut())
            .await
            .is_err(),
        "a third connection was served beyond the limit of 2"
    );
    // ...until one of the two closes.
    drop(first);
    let (answer, third) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("served once a connection closed");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(exchange(&mut second, &request)
        .await
        .starts_with("HTTP/1.1 200 OK"));

    drop((second, third));
    server.stop().await;
}

/// Connects to `addr` from the loopback address `from` (any port).
async fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("binding a loopback address");
    socket.connect(addr).await.unwrap()
}

#[tokio::test]
async fn one_client_cannot_take_every_connection() {
    let server = Server::start(Connections {
        header_read_timeout: Duration::from_secs(30),
        max_per_client: 3,
        ..Connections::default()
    })
    .await;
    let addr = server.addr;
    let request = get(addr, "/api/levels/boat-race");

    // One client holds its three connections, idle...
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from([127, 0, 0, 1], addr).await);
    }
    assert!(exchange(&mut held[0], &request)
        .await
        .starts_with("HTTP/1.1 200 OK"));
    // ...so its fourth is closed without an answer,
    let mut fourth = connect_from([127, 0, 0, 1], addr).await;
    let _ = fourth.write_all(request.as_bytes()).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), fourth.read_to_end(&mut rest))
        .await
        .expect("the fourth connection is closed at once");
    if closed.is_ok() {
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    }
    // while another address is served as usual,
    let mut other = connect_from([127, 0, 0, 2], addr).await;
    assert!(exchange(&mut other, &request)
        .await
        .starts_with("HTTP/1.1 200 OK"));
    // and once the first client closes one of its own, it may open another.
    drop(held.pop());
    let mut again = None;
    for _ in 0..50 {
        // The server counts the closed one off as soon as it notices.
        let mut stream = connect_from([127, 0, 0, 1], addr).await;
        if stream.write_all(request.as_bytes()).await.is_ok() {
            let mut first = [0u8; 1];
            if matches!(
                tokio::time::timeout(Duration::from_secs(2), stream.peek(&mut first)).await,
                Ok(Ok(1))
            ) {
                again = Some(stream);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut again = again.expect("a new connection is served once one closed");
    let mut answer = vec![0u8; 15];
    again.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200 OK");

    drop((held, other, again));
    server.stop().await;
}

#[tokio::test]
async fn an_event_stream_outlasts_the_header_timeout_and_a_graceful_shutdown() {
    let timeout = Duration::from_millis(300);
    let server = Server::start(Connections {
        header_read_timeout: timeout,
        ..Connections::default()
    })
    .await;
    let addr = server.addr;

    // A long training run: Q-learning at its highest power.
    let body = r#"{"level": "tomato-watering", "reward": "watered_seen", "agent": "q-learning", "power": 100000}"#;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = exchange(
        &mut stream,
        &format!(
            "POST /api/runs HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(started.starts_with("HTTP/1.1 201 "), "{started}");
    let created: Value =
        serde_json::from_str(&started[started.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    let events = created["events"].as_str().unwrap();

    let opened = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET {events} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).await.unwrap();
    assert!(head[..n].starts_with(b"HTTP/1.1 200 OK\r\n"));

    // Shutdown is asked for while the stream is still open: the stream
    // still runs to its last event, then the server finishes.
    let Server { stop, task, .. } = server;
    stop.send(()).unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut rest))
        .await
        .expect("the stream ends")
        .unwrap();
    let streamed = opened.elapsed();
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.contains("event: progress"), "{rest}");
    assert!(rest.contains("event: result"), "{rest}");
    assert!(!rest.contains("event: error"), "{rest}");
    // The stream was open longer than the header timeout.
    assert!(streamed > timeout * 2, "the run took only {streamed:?}");

    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("shuts down")
        .unwrap()
        .unwrap();
    // No longer listening.
    assert!(TcpStream::connect(addr).await.is_err());
}

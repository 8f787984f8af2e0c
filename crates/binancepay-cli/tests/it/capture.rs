//! A minimal HTTP/1.1 server that records each request exactly as it arrived and answers with
//! scripted responses, to see the bytes `binancepay request` sends and prints.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// One request as received.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    pub(crate) path: String,
    /// Header names in lower case.
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: Vec<u8>,
}

/// One scripted answer: status and body.
pub(crate) type Answer = (u16, Vec<u8>);

#[derive(Debug)]
pub(crate) struct Capture {
    pub(crate) base_url: String,
    received: mpsc::Receiver<Captured>,
}

impl Capture {
    /// Serves `answers` in order, one per connection, then stops accepting.
    pub(crate) fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let (sender, received) = mpsc::channel();
        thread::spawn(move || {
            for (status, body) in answers {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream);
                let Some(captured) = read_request(&mut reader) else {
                    return;
                };
                let _ = sender.send(captured);
                let mut stream = reader.into_inner();
                let head = format!(
                    "HTTP/1.1 {status} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
                let _ = stream.flush();
            }
        });
        Self { base_url, received }
    }

    /// Every request received so far.
    pub(crate) fn requests(&self) -> Vec<Captured> {
        self.received.try_iter().collect()
    }
}

fn read_request(reader: &mut BufReader<std::net::TcpStream>) -> Option<Captured> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Captured {
        path,
        headers,
        body,
    })
}

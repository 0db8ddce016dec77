//! An SMTP server in the test process that keeps what it receives (real SMTP over TCP), and
//! the text of a received mail with its body decoded.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that keeps what it receives (real SMTP over TCP, in-process).
pub async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                let mut data = false;
                let mut mail = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if data {
                        if line == "." {
                            data = false;
                            kept.lock().expect("lock").push(std::mem::take(&mut mail));
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            mail.push_str(&line);
                            mail.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = true;
                        b"354 go on\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, mails)
}

/// A received mail as a person reads it: its headers, then its body decoded from base64 when
/// it was sent so (a Chinese text is).
pub fn mail_text(raw: &str) -> String {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    if !head
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: base64")
    {
        return raw.to_string();
    }
    let joined: String = body.lines().map(str::trim).collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(joined.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    format!("{head}\n\n{decoded}")
}

//! The accept loop every server runs on (`serve`, `multirootca`,
//! `ocspserve`): a bounded number of connections, optional TLS, one
//! HTTP/1.1 connection per task with deadlines for the handshake, the
//! headers (which also closes idle keep-alive connections) and the body,
//! and a graceful shutdown that lets requests in flight finish.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use regex::Regex;
use std::future::Future;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// What the connection knows about its peer, put into every request.
#[derive(Debug, Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    /// False when `-mutual-tls-cn` is set and the client's CN fails it.
    pub cn_allowed: bool,
    /// The verified client certificate's CN (mutual TLS), for `-admin-cn`.
    pub cn: Option<String>,
}

/// How long a client may take for the TLS handshake, for a request's
/// headers, and how long a keep-alive connection may idle.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request body once its headers
/// are in (1 MiB, serve's default limit, in 15 s is about 70 kB/s).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long shutdown waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The connection limit every server starts with.
pub const DEFAULT_MAX_CONNECTIONS: NonZeroUsize = match NonZeroUsize::new(1024) {
    Some(n) => n,
    None => unreachable!(),
};

/// How connections are accepted and served.
pub struct Listener {
    pub listener: TcpListener,
    pub tls: Option<TlsAcceptor>,
    pub allowed_cn: Option<Regex>,
    /// Never zero: a server that accepts nothing is a usage error.
    pub max_connections: NonZeroUsize,
    /// How long a client may take to send a request's headers (and the
    /// TLS handshake), and how long a keep-alive connection may sit idle
    /// between requests, so idle or slow peers cannot hold connections.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body once its
    /// headers are in: a body trickled a byte at a time would otherwise
    /// hold its connection (and its share of `max_connections`) forever.
    pub body_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub drain_timeout: Duration,
}

impl Listener {
    /// A listener with the shared deadlines ([`HEADER_TIMEOUT`],
    /// [`BODY_TIMEOUT`], [`DRAIN_TIMEOUT`]).
    pub fn new(
        listener: TcpListener,
        tls: Option<TlsAcceptor>,
        allowed_cn: Option<Regex>,
        max_connections: NonZeroUsize,
    ) -> Listener {
        Listener {
            listener,
            tls,
            allowed_cn,
            max_connections,
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            drain_timeout: DRAIN_TIMEOUT,
        }
    }

    /// Serves `router` until `shutdown` resolves, then drains.
    pub async fn serve(self, router: Router, shutdown: impl Future<Output = ()>) {
        let permits = Arc::new(Semaphore::new(self.max_connections.get()));
        let graceful = GracefulShutdown::new();
        let tls = self.tls.clone();
        let allowed_cn = self.allowed_cn.map(Arc::new);
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                _ = &mut shutdown => break,
                p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            };
            let (stream, addr) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(a) => a,
                    // Out of file descriptors and the like: back off, keep serving.
                    Err(_) => { tokio::time::sleep(Duration::from_millis(50)).await; continue; }
                },
            };
            let _ = stream.set_nodelay(true);
            let router = router.clone();
            let tls = tls.clone();
            let allowed_cn = allowed_cn.clone();
            let timeouts = (self.header_timeout, self.body_timeout);
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let _permit = permit;
                match tls {
                    Some(acceptor) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(timeouts.0, acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        let cn = stream
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|c| c.first())
                            .and_then(|leaf| crate::serve::tls::common_name(leaf));
                        let cn_allowed = match &allowed_cn {
                            None => true,
                            Some(re) => cn.as_deref().is_some_and(|cn| re.is_match(cn)),
                        };
                        let peer = Peer {
                            addr,
                            cn_allowed,
                            cn,
                        };
                        serve_connection(stream, router, peer, timeouts, watcher).await;
                    }
                    None => {
                        let peer = Peer {
                            addr,
                            cn_allowed: true,
                            cn: None,
                        };
                        serve_connection(stream, router, peer, timeouts, watcher).await;
                    }
                }
            });
        }
        drop(self.listener);
        let _ = tokio::time::timeout(self.drain_timeout, graceful.shutdown()).await;
    }
}

async fn serve_connection<S>(
    stream: S,
    router: Router,
    peer: Peer,
    (header_timeout, body_timeout): (Duration, Duration),
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request: Request = request.map(|body| {
            Body::new(Deadline {
                body,
                deadline: Box::pin(tokio::time::sleep(body_timeout)),
            })
        });
        request.extensions_mut().insert(peer.clone());
        router.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let _ = watcher.watch(connection).await;
}

/// The error a request body yields once [`Listener::body_timeout`] has
/// passed; handlers answer 408 for it (see [`is_body_timeout`]).
#[derive(Debug)]
pub struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request body not received in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// Whether a body-read error (anywhere in its source chain) is the
/// listener's deadline rather than, say, a length limit.
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.is::<BodyTimeout>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// A request body that fails once its deadline passes. The handler's
/// read then ends with an error, its answer is sent, and hyper closes
/// the connection because the body was not read to its end.
struct Deadline {
    body: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for Deadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

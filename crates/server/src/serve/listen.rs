//! The accept loop: a bounded number of connections, optional TLS, one
//! HTTP/1.1 connection per task with a header-read timeout, and a
//! graceful shutdown that lets requests in flight finish.

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use regex::Regex;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
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
}

/// How connections are accepted and served.
pub struct Listener {
    pub listener: TcpListener,
    pub tls: Option<TlsAcceptor>,
    pub allowed_cn: Option<Regex>,
    pub max_connections: usize,
    /// How long a client may take to send a request's headers (and the
    /// TLS handshake), so idle or slow peers cannot hold connections.
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub drain_timeout: Duration,
}

impl Listener {
    /// Serves `router` until `shutdown` resolves, then drains.
    pub async fn serve(self, router: Router, shutdown: impl Future<Output = ()>) {
        let permits = Arc::new(Semaphore::new(self.max_connections));
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
            let header_timeout = self.header_timeout;
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let _permit = permit;
                match tls {
                    Some(acceptor) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(header_timeout, acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        let cn_allowed = match &allowed_cn {
                            None => true,
                            Some(re) => stream
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first())
                                .and_then(|leaf| super::tls::common_name(leaf))
                                .is_some_and(|cn| re.is_match(&cn)),
                        };
                        let peer = Peer { addr, cn_allowed };
                        serve_connection(stream, router, peer, header_timeout, watcher).await;
                    }
                    None => {
                        let peer = Peer {
                            addr,
                            cn_allowed: true,
                        };
                        serve_connection(stream, router, peer, header_timeout, watcher).await;
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
    header_timeout: Duration,
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request: Request = request.map(Body::new);
        request.extensions_mut().insert(peer.clone());
        router.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let _ = watcher.watch(connection).await;
}

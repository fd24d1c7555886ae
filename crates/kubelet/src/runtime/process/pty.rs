//! Pseudo-terminals for `exec -t`: the command gets the terminal's
//! secondary side as stdin, stdout and stderr (and as its controlling
//! terminal); the kubelet reads and writes the primary side without
//! blocking a thread.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A new terminal: (primary, secondary).
pub fn open() -> io::Result<(Primary, OwnedFd)> {
    let mut primary: libc::c_int = -1;
    let mut secondary: libc::c_int = -1;
    // SAFETY: openpty(3) fills the two descriptors it opens.
    let opened = unsafe {
        libc::openpty(
            &mut primary,
            &mut secondary,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if opened != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just opened and are owned by nobody else.
    let (primary, secondary) = unsafe {
        (
            OwnedFd::from_raw_fd(primary),
            OwnedFd::from_raw_fd(secondary),
        )
    };
    for fd in [&primary, &secondary] {
        // SAFETY: fcntl(2) on descriptors we own.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    Ok((Primary::from_fd(primary)?, secondary))
}

/// The kubelet's side of a terminal. Clones share it (one reads, one
/// writes, one resizes).
#[derive(Clone)]
pub struct Primary {
    fd: Arc<AsyncFd<OwnedFd>>,
}

impl Primary {
    /// The primary side of a terminal from its descriptor (a new one, or
    /// one taken over from a container's reaper).
    pub fn from_fd(primary: OwnedFd) -> io::Result<Primary> {
        // SAFETY: fcntl(2) on a descriptor we own; the primary side is
        // read and written without blocking.
        unsafe {
            let flags = libc::fcntl(primary.as_raw_fd(), libc::F_GETFL);
            libc::fcntl(primary.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
        // SAFETY: the OwnedFd moves into the AsyncFd and stays open, the
        // same descriptor, for as long as the AsyncFd lives.
        let fd =
            unsafe { AsyncFd::register(primary) }.map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Primary { fd: Arc::new(fd) })
    }

    /// The descriptor's number in this process.
    pub fn raw_fd(&self) -> libc::c_int {
        self.fd.get_ref().as_raw_fd()
    }

    /// Sets the terminal's size, as `stty cols rows` would.
    pub fn resize(&self, columns: u16, rows: u16) {
        let size = libc::winsize {
            ws_row: rows,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ with a winsize on a terminal we own.
        unsafe { libc::ioctl(self.fd.get_ref().as_raw_fd(), libc::TIOCSWINSZ, &size) };
    }
}

impl AsyncRead for Primary {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            let result = guard.try_io(|fd| {
                // SAFETY: read(2) into the buffer's unfilled part, at most
                // its length.
                let n = unsafe {
                    libc::read(
                        fd.get_ref().as_raw_fd(),
                        unfilled.as_mut_ptr().cast(),
                        unfilled.len(),
                    )
                };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            });
            match result {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                // Every secondary descriptor is closed: the command ended.
                Ok(Err(err)) if err.raw_os_error() == Some(libc::EIO) => {
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(err)) => return Poll::Ready(Err(err)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for Primary {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.fd.poll_write_ready(cx))?;
            let result = guard.try_io(|fd| {
                // SAFETY: write(2) from a slice we hold, at most its length.
                let n = unsafe {
                    libc::write(fd.get_ref().as_raw_fd(), data.as_ptr().cast(), data.len())
                };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            });
            match result {
                Ok(result) => return Poll::Ready(result),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

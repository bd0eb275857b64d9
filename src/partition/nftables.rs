//! libnftables, loaded when first needed: the library behind the `nft` command, called in
//! process so that a partition changes rules without starting a process.
//!
//! Only the five calls of its stable C API (`libnftables(3)`) that run a script are bound.
//! A host without `libnftables.so.1` gets an error here, and the caller falls back to the
//! `nft` command.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::OnceLock;

type CtxNew = unsafe extern "C" fn(u32) -> *mut c_void;
type CtxFree = unsafe extern "C" fn(*mut c_void);
type CtxFlag = unsafe extern "C" fn(*mut c_void) -> c_int;
type ErrorBuffer = unsafe extern "C" fn(*mut c_void) -> *const c_char;
type RunCmd = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;

/// The library's entry points (kept loaded for the life of the process).
struct Library {
    _library: libloading::Library,
    new: CtxNew,
    free: CtxFree,
    buffer_output: CtxFlag,
    buffer_error: CtxFlag,
    error_buffer: ErrorBuffer,
    run: RunCmd,
}

fn library() -> Result<&'static Library, String> {
    static LIBRARY: OnceLock<Result<Library, String>> = OnceLock::new();
    LIBRARY
        .get_or_init(|| load().map_err(|e| format!("libnftables.so.1: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

fn load() -> Result<Library, libloading::Error> {
    // SAFETY: libnftables' initialisers have no preconditions, and each symbol is given the
    // signature its header (nftables/libnftables.h) declares.
    unsafe {
        let library = libloading::Library::new("libnftables.so.1")?;
        Ok(Library {
            new: *library.get::<CtxNew>(b"nft_ctx_new\0")?,
            free: *library.get::<CtxFree>(b"nft_ctx_free\0")?,
            buffer_output: *library.get::<CtxFlag>(b"nft_ctx_buffer_output\0")?,
            buffer_error: *library.get::<CtxFlag>(b"nft_ctx_buffer_error\0")?,
            error_buffer: *library.get::<ErrorBuffer>(b"nft_ctx_get_error_buffer\0")?,
            run: *library.get::<RunCmd>(b"nft_run_cmd_from_buffer\0")?,
            _library: library,
        })
    }
}

/// An nftables context: it talks to the kernel of the network namespace of the thread that
/// created it, so it stays on that thread (it is neither `Send` nor `Sync`).
pub struct Context {
    library: &'static Library,
    ctx: *mut c_void,
}

impl Context {
    /// A context with its output and errors kept in buffers (nothing printed).
    pub fn new() -> Result<Context, String> {
        let library = library()?;
        // SAFETY: 0 is NFT_CTX_DEFAULT; a non-null context is freed once, in `Drop`.
        let ctx = unsafe { (library.new)(0) };
        if ctx.is_null() {
            return Err("nft_ctx_new failed".into());
        }
        // SAFETY: `ctx` is a live context.
        unsafe {
            (library.buffer_output)(ctx);
            (library.buffer_error)(ctx);
        }
        Ok(Context { library, ctx })
    }

    /// Runs an nft script (one transaction, as `nft -f`); the error names nft's complaint.
    pub fn run(&mut self, script: &str) -> Result<(), String> {
        let text = CString::new(script).map_err(|_| "an nft script holds a NUL byte")?;
        // SAFETY: `ctx` is live and `text` a NUL-terminated string that outlives the call.
        let status = unsafe { (self.library.run)(self.ctx, text.as_ptr()) };
        if status == 0 {
            return Ok(());
        }
        // SAFETY: with error buffering on, the buffer is a NUL-terminated string owned by
        // `ctx`, valid until the next call on it; it is copied at once.
        let error = unsafe { (self.library.error_buffer)(self.ctx) };
        let error = if error.is_null() {
            String::new()
        } else {
            unsafe { CStr::from_ptr(error) }
                .to_string_lossy()
                .trim()
                .to_string()
        };
        Err(format!("nft failed ({status}): {error}"))
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: `ctx` was created by `nft_ctx_new` and is freed only here.
        unsafe { (self.library.free)(self.ctx) }
    }
}

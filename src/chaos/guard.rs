//! Guards that undo a fault when dropped: a toxic is removed, a proxy stopped.

use super::proxy::Proxy;

/// Removes its toxic from its proxy when dropped.
#[must_use = "the toxic is removed as soon as the guard is dropped"]
pub struct ToxicGuard {
    proxy: Proxy,
    name: String,
}

impl ToxicGuard {
    pub(crate) fn new(proxy: Proxy, name: String) -> Self {
        ToxicGuard { proxy, name }
    }

    /// The toxic's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ToxicGuard {
    fn drop(&mut self) {
        let _ = self.proxy.remove_toxic(&self.name);
    }
}

/// Stops its proxy when dropped.
#[must_use = "the proxy stops as soon as the guard is dropped"]
pub struct ProxyGuard(pub Proxy);

impl std::ops::Deref for ProxyGuard {
    type Target = Proxy;
    fn deref(&self) -> &Proxy {
        &self.0
    }
}

impl Drop for ProxyGuard {
    fn drop(&mut self) {
        self.0.stop();
    }
}

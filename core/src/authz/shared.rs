//! A registry that can be replaced while calls run.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::error::RegistryError;
use super::registry::Registry;

/// The current registry, swapped atomically. Readers take a snapshot
/// (`Arc<Registry>`) without locking and never wait for a writer; a call
/// decides against the snapshot it took, so a swap never changes a decision
/// half-way. A registry that fails its checks never replaces the current one.
#[derive(Debug)]
pub struct SharedRegistry {
    current: ArcSwap<Registry>,
}

impl SharedRegistry {
    /// Starts with `registry`.
    pub fn new(registry: Registry) -> Self {
        SharedRegistry { current: ArcSwap::from_pointee(registry) }
    }

    /// The current snapshot (lock-free).
    pub fn snapshot(&self) -> Arc<Registry> {
        self.current.load_full()
    }

    /// Calls `f` with the current snapshot, without touching its reference
    /// count when possible (the cheapest read).
    pub fn with<T>(&self, f: impl FnOnce(&Registry) -> T) -> T {
        f(&self.current.load())
    }

    /// Installs a checked registry; returns the one it replaces.
    pub fn replace(&self, registry: Registry) -> Arc<Registry> {
        self.current.swap(Arc::new(registry))
    }

    /// Reads a registry file and installs it if it passes every check;
    /// otherwise keeps the current one and returns the error.
    #[cfg(feature = "registry-json")]
    pub fn replace_from_json(&self, json: &[u8]) -> Result<Arc<Registry>, RegistryError> {
        Registry::from_json(json).map(|r| self.replace(r))
    }

    /// Builds with `build` and installs the result if it succeeds.
    pub fn replace_with(
        &self,
        build: impl FnOnce() -> Result<Registry, RegistryError>,
    ) -> Result<Arc<Registry>, RegistryError> {
        build().map(|r| self.replace(r))
    }
}

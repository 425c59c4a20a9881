//! Compiles the peers when their development files are present: libxml2
//! (peers/libxml2_parse.c, `cfg(kuvert_libxml2)`) and libxmlsec1 with
//! OpenSSL (peers/xmlsec_verify.c, `cfg(kuvert_xmlsec)`). Without them the
//! build still succeeds: a warning, no cfg, and the benches skip the peer
//! with a printed note.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=peers/libxml2_parse.c");
    println!("cargo:rerun-if-changed=peers/xmlsec_verify.c");
    println!("cargo:rustc-check-cfg=cfg(kuvert_libxml2)");
    println!("cargo:rustc-check-cfg=cfg(kuvert_xmlsec)");
    libxml2();
    xmlsec();
}

/// The libxmlsec1 (OpenSSL) signature-verification peer.
fn xmlsec() {
    let lib = match pkg_config::Config::new().cargo_metadata(false).probe("xmlsec1-openssl") {
        Ok(lib) => lib,
        Err(_) => {
            println!(
                "cargo:warning=libxmlsec1 development files not found; benches run without the xmlsec peer \
                 (apt-get install libxmlsec1-dev pkg-config)"
            );
            return;
        }
    };
    let mut build = cc::Build::new();
    build.file("peers/xmlsec_verify.c").opt_level(2).warnings(false);
    for dir in &lib.include_paths {
        build.include(dir);
    }
    for (name, value) in &lib.defines {
        build.define(name, value.as_deref());
    }
    if let Err(e) = build.try_compile("kuvert_xmlsec_peer") {
        println!("cargo:warning=compiling the xmlsec peer failed ({e}); benches run without it");
        return;
    }
    for dir in &lib.link_paths {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    for name in &lib.libs {
        println!("cargo:rustc-link-lib={name}");
    }
    println!("cargo:rustc-cfg=kuvert_xmlsec");
}

/// The libxml2 parsing peer.
fn libxml2() {
    // Probe without emitting link flags yet: they are emitted only once the
    // peer has compiled, so a failed compile leaves nothing half-linked.
    let lib = match pkg_config::Config::new().cargo_metadata(false).probe("libxml-2.0") {
        Ok(lib) => lib,
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("pkg-config failed");
            println!(
                "cargo:warning=libxml2 development files not found ({first}); \
                 benches run without the libxml2 peer (apt-get install libxml2-dev pkg-config)"
            );
            return;
        }
    };

    let mut build = cc::Build::new();
    build.file("peers/libxml2_parse.c").opt_level(2).warnings(true);
    for dir in &lib.include_paths {
        build.include(dir);
    }
    if let Err(e) = build.try_compile("kuvert_libxml2_peer") {
        println!("cargo:warning=compiling the libxml2 peer failed ({e}); benches run without it");
        return;
    }

    for dir in &lib.link_paths {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    for name in &lib.libs {
        println!("cargo:rustc-link-lib={name}");
    }
    println!("cargo:rustc-cfg=kuvert_libxml2");
}

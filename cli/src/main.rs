//! The `kuvert` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod authorize;
mod c14n;
mod inspect;
mod io;
mod out;
mod registry;
mod report;
mod sign;
mod speed;
mod stream;
mod token;
mod trust;
mod verify;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// kuvert: read, check and decide on SOAP messages for the municipal integration platform.
#[derive(Parser)]
#[command(name = "kuvert", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a SOAP message and print its structure as one JSON object.
    ///
    /// Exit 0 with the JSON on stdout; 1 with the error (kind, message, offset,
    /// line, column) as JSON on stderr when the message is refused; 2 for usage
    /// or I/O errors.
    Inspect(inspect::Args),
    /// Canonicalize a document (Canonical XML 1.0 or Exclusive XML Canonicalization 1.0).
    C14n(c14n::Args),
    /// Verify a WS-Security signed SOAP message, or a document's top-level signature.
    ///
    /// Exit 0 with {"valid": true, ...} on stdout; 1 with {"valid": false, "error": ...};
    /// 2 for usage or I/O errors.
    Verify(verify::Args),
    /// Sign a SOAP message: Timestamp, BinarySecurityToken and a signature over the
    /// Body, the Timestamp and the WS-Addressing and Framework headers.
    Sign(sign::Args),
    /// Measure verifications (or parses) per second of a message on one thread.
    Speed(speed::Args),
    /// Decide whether a message is served under a service agreement.
    ///
    /// Exit 0 with {"allow": true, ...} on stdout; 1 with {"allow": false,
    /// "code", "reason", "call_uuid", "fault_xml"}; 2 for usage, I/O or
    /// registry errors (with the JSON path).
    Authorize(authorize::Args),
    /// Pass a message from standard input to standard output unchanged, checking
    /// it on the way in constant memory (and its signature, with --trust).
    ///
    /// Exit 0 when it is well-formed (and, when signed and --trust is given, the
    /// signature is valid); 1 with the error on stderr after the bytes already
    /// passed on (never the chunk that ends a refused envelope); 2 for usage or
    /// I/O errors. --stats prints one JSON line to stderr.
    Stream(stream::Args),
    /// Service-agreement registries: check a file, print a certificate's entry.
    #[command(subcommand)]
    Registry(registry::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::C14n(args) => c14n::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Sign(args) => sign::run(&args),
        Command::Speed(args) => speed::run(&args),
        Command::Authorize(args) => authorize::run(&args),
        Command::Stream(args) => stream::run(&args),
        Command::Registry(command) => registry::run(&command),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kuvert: {e}");
            ExitCode::from(2)
        }
    }
}

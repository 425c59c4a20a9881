//! `kuvert c14n`: canonicalize a document.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{canonicalize_document, C14nMethod, Input, Limits};

use crate::io::read_input;
use crate::report::ErrorReport;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Method {
    Inclusive,
    InclusiveComments,
    Exclusive,
    ExclusiveComments,
}

#[derive(clap::Args)]
pub struct Args {
    /// Canonicalization method.
    #[arg(long, value_enum, default_value = "exclusive")]
    method: Method,
    /// Exclusive only: InclusiveNamespaces PrefixList, space separated (`#default` for the default namespace).
    #[arg(long, default_value = "")]
    prefixes: String,
    /// The document; `-` or nothing for standard input.
    file: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let raw = read_input(args.file.as_deref())?;
    let limits = Limits::default();
    let method = match args.method {
        Method::Inclusive => C14nMethod::Inclusive,
        Method::InclusiveComments => C14nMethod::InclusiveWithComments,
        Method::Exclusive => C14nMethod::Exclusive,
        Method::ExclusiveComments => C14nMethod::ExclusiveWithComments,
    };
    let prefixes: Vec<&str> = args.prefixes.split_whitespace().collect();
    let result = Input::new(&raw, &limits)
        .and_then(|input| canonicalize_document(&input, method, &prefixes, &limits, Vec::new()));
    match result {
        Ok(out) => {
            std::io::stdout().write_all(&out).map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            ErrorReport::new(e.code(), e.kind().to_string(), &raw, e.offset()).print();
            Ok(ExitCode::from(1))
        }
    }
}

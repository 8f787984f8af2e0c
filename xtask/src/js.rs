//! `cargo xtask js [--sign-only] [--out DIR]`: builds the npm package `binancepay-sign` into
//! `bindings/js/pkg/` (or DIR).
//!
//! 1. `cargo build -p binancepay-sign-wasm --target wasm32-unknown-unknown --profile wasm-release`
//!    (`--sign-only`: without the `rsa` feature, so without `verifyWebhook`; for size figures).
//! 2. `wasm-bindgen --target no-modules`, at exactly the version Cargo.lock pins for the
//!    `wasm-bindgen` crate (the CLI refuses other versions' modules).
//! 3. `wasm-opt -Oz` when binaryen is installed (optional).
//! 4. The loaders around the glue (see `bindings/js/README.md`): `index.cjs` (require),
//!    `index.mjs` (import: browsers, bundlers, Deno, Bun), `node.cjs`/`node.mjs` (Node's
//!    conditions), `core.mjs` (runtimes that must hand over a compiled module), the `.d.ts`,
//!    `package.json` and `README.md`.
//! 5. Prints the `.wasm` size, raw and gzipped.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask js [--sign-only] [--out DIR]";
const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
const NAME: &str = "binancepay_sign";

type Result<T> = std::result::Result<T, String>;

/// Runs `cargo xtask js` with the arguments after `js`.
pub(crate) fn run(args: &[&str]) -> ExitCode {
    // xtask lives one level below the workspace root.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest
        .parent()
        .map_or(manifest.clone(), Path::to_path_buf);
    match parse_and_build(&root, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("js: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_and_build(root: &Path, args: &[&str]) -> Result<()> {
    let mut sign_only = false;
    let mut out = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--sign-only" => sign_only = true,
            "--out" => out = Some(PathBuf::from(rest.next().ok_or(USAGE)?)),
            _ => return Err(USAGE.to_owned()),
        }
    }
    let out = out.unwrap_or_else(|| root.join("bindings/js/pkg"));
    build(root, &out, sign_only)
}

fn exec(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// The `wasm-bindgen` version Cargo.lock pins.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock: toml::Value =
        toml::from_str(&read(&root.join("Cargo.lock"))?).map_err(|e| format!("Cargo.lock: {e}"))?;
    lock.get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(toml::Value::as_str) == Some("wasm-bindgen"))
        .and_then(|p| p.get("version").and_then(toml::Value::as_str))
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_owned())
}

fn check_cli(version: &str) -> Result<()> {
    let hint =
        format!("install it with `cargo install --locked --version {version} wasm-bindgen-cli`");
    let output = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .map_err(|_| format!("wasm-bindgen not found: {hint}"))?;
    let seen = String::from_utf8_lossy(&output.stdout);
    if seen.split_whitespace().nth(1) == Some(version) {
        Ok(())
    } else {
        Err(format!(
            "wasm-bindgen {} found, Cargo.lock pins {version}: {hint}",
            seen.trim()
        ))
    }
}

fn build(root: &Path, out: &Path, sign_only: bool) -> Result<()> {
    let version = locked_wasm_bindgen(root)?;
    check_cli(&version)?;

    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(root).args([
        "build",
        "--package",
        "binancepay-sign-wasm",
        "--lib",
        "--target",
        TARGET,
        "--profile",
        PROFILE,
    ]);
    if sign_only {
        cargo.arg("--no-default-features");
    }
    exec(&mut cargo)?;
    let module = target_dir.join(format!("{TARGET}/{PROFILE}/binancepay_sign_wasm.wasm"));

    let glue_dir = target_dir.join(if sign_only {
        "js-glue-sign-only"
    } else {
        "js-glue"
    });
    let _ = std::fs::remove_dir_all(&glue_dir);
    exec(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "no-modules",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
                // TextEncoder.encodeInto for every string argument: for the typical 1.3 KB body
                // several times faster than the glue's character-by-character ASCII loop.
                "--encode-into",
                "always",
                "--out-name",
                NAME,
                "--out-dir",
            ])
            .arg(&glue_dir)
            .arg(&module),
    )?;
    let wasm_path = glue_dir.join(format!("{NAME}_bg.wasm"));
    optimize(&wasm_path)?;

    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let wasm = std::fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    write(&out.join(format!("{NAME}_bg.wasm")), &wasm)?;
    let glue = read(&glue_dir.join(format!("{NAME}.js")))?;
    let js = root.join("bindings/js/js");
    let facade = read(&js.join("facade.js"))?;
    let base64 = encode_base64(&wasm);
    for (file, text) in loaders(&glue, &facade, &base64) {
        write(&out.join(file), text)?;
    }
    for file in [
        "index.d.ts",
        "core.d.ts",
        "node.cjs",
        "node.mjs",
        "package.json",
    ] {
        let text = read(&js.join(file))?;
        write(
            &out.join(file),
            text.replace("@VERSION@", env!("CARGO_PKG_VERSION")),
        )?;
    }
    write(
        &out.join("README.md"),
        read(&root.join("bindings/js/README.md"))?,
    )?;

    let gzipped = gzip_len(&wasm_path);
    println!(
        "js: wrote {} ({}): {NAME}_bg.wasm {} bytes raw, {} gzipped (gzip -9)",
        out.display(),
        if sign_only { "sign only" } else { "with RSA" },
        wasm.len(),
        gzipped.map_or_else(|| "? (no gzip)".to_owned(), |n| format!("{n} bytes")),
    );
    Ok(())
}

/// `wasm-opt -Oz` in place when binaryen is installed and understands the module; otherwise the
/// module as rustc and wasm-bindgen left it (Debian's binaryen 108 cannot parse what current
/// rustc emits for wasm32).
fn optimize(wasm: &Path) -> Result<()> {
    if Command::new("wasm-opt").arg("--version").output().is_err() {
        println!("js: wasm-opt not found (binaryen): the module is not post-optimised");
        return Ok(());
    }
    let optimized = wasm.with_extension("opt.wasm");
    let output = Command::new("wasm-opt")
        .args(["-Oz", "--all-features", "-o"])
        .arg(&optimized)
        .arg(wasm)
        .output()
        .map_err(|e| format!("cannot run wasm-opt: {e}"))?;
    if output.status.success() {
        std::fs::rename(&optimized, wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
        println!("js: optimised with wasm-opt -Oz");
    } else {
        let _ = std::fs::remove_file(&optimized);
        println!(
            "js: wasm-opt could not read the module ({}): it is not post-optimised",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn gzip_len(path: &Path) -> Option<usize> {
    let output = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout.len())
}

/// The generated loaders: each is the glue, the facade, then how the module is obtained and
/// exported.
fn loaders(glue: &str, facade: &str, base64: &str) -> Vec<(&'static str, String)> {
    let header = "// Generated by `cargo xtask js` from bindings/js: do not edit.\n";
    let names = "sign, signRequest, verifyWebhook, newNonce, decryptPayerDetail";
    let inline =
        format!("const WASM_BASE64 = '{base64}';\nconst api = load(decodeBase64(WASM_BASE64));\n");
    let cjs = format!("{header}'use strict';\n{glue}\n{facade}\n{inline}module.exports = api;\n");
    let esm = format!(
        "{header}{glue}\n{facade}\n{inline}export const {{ {names} }} = api;\nexport {{ BinancePayError }};\nexport default api;\n"
    );
    let mut core = format!(
        "{header}{glue}\n{facade}\nlet api = null;\n\
         /** Instantiates the package from a compiled WebAssembly.Module or the .wasm bytes. */\n\
         export function init(source) {{\n  if (api === null) api = load(source);\n  return api;\n}}\n\
         function ready() {{\n  if (api === null) throw new BinancePayError('binancepay-sign/core: call init(module) first', 'NOT_INITIALIZED');\n  return api;\n}}\n\
         export {{ BinancePayError }};\n"
    );
    for name in [
        "sign",
        "signRequest",
        "verifyWebhook",
        "newNonce",
        "decryptPayerDetail",
    ] {
        let _ = writeln!(
            core,
            "export function {name}(...args) {{\n  return ready().{name}(...args);\n}}"
        );
    }
    vec![("index.cjs", cjs), ("index.mjs", esm), ("core.mjs", core)]
}

/// Standard base64 with padding (the inline copy of the module in the loaders).
fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_base64;

    #[test]
    fn base64_matches_rfc4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode_base64(input.as_bytes()), expected);
        }
        assert_eq!(encode_base64(&[0xFB, 0xFF]), "+/8=");
    }
}

//! Writes the protocol between the WebAssembly module and the package's
//! JavaScript layer (`harmony_policy::ffi::protocol`) as the layer's
//! `protocol.js`: `cargo run --example protocol > pkg/protocol.js`
//! (`scripts/build-wasm.sh` does).

fn main() {
    print!("{}", harmony_policy::ffi::protocol::javascript());
}

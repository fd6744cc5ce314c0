//! `#[derive(Decode)]` for harmony-policy's bundle reader (`src/wire.rs` in
//! the core): each type is read from the bytes its derived serde
//! `Serialize` writes in postcard's wire format, so the types describe the
//! bundle once, and the runtime module carries a reader of a few small
//! functions per type instead of serde's visitors (docs/performance.md,
//! "Bundles and the runtime module").
//!
//! It reads the serde attributes that change what is in the bytes:
//! `#[serde(skip)]` (not written: `Default::default()`), and
//! `#[serde(deserialize_with = "nested")]` (one level of condition
//! nesting, bounded while reading). Field and variant names are not in the
//! bytes, so renames do not matter; a variant is its index.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Fields};

/// Implements `crate::wire::Decode` for a struct or an enum.
#[proc_macro_derive(Decode, attributes(serde))]
pub fn derive_decode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let name = &input.ident;
    let body = match &input.data {
        Data::Struct(data) => construct(quote!(#name), &data.fields, false),
        Data::Enum(data) => {
            let arms = data.variants.iter().enumerate().map(|(index, variant)| {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                let ident = &variant.ident;
                let build = construct(quote!(#name::#ident), &variant.fields, false);
                let build = if serde_says(&variant.attrs, "deserialize_with") {
                    quote!(r.nested(|r| #build))
                } else {
                    build
                };
                quote!(#index => #build,)
            });
            // What an unknown variant reads as (the read has failed by then).
            let Some(first) = data.variants.first() else {
                return syn::Error::new_spanned(name, "an enum without variants is not decoded")
                    .to_compile_error()
                    .into();
            };
            let ident = &first.ident;
            let fallback = construct(quote!(#name::#ident), &first.fields, true);
            quote!(match r.variant() {
                #(#arms)*
                _ => {
                    r.fail("an unknown variant");
                    #fallback
                }
            })
        }
        Data::Union(_) => {
            return syn::Error::new_spanned(name, "unions are not decoded")
                .to_compile_error()
                .into()
        }
    };
    quote! {
        impl crate::wire::Decode for #name {
            fn decode(r: &mut crate::wire::Reader<'_>) -> Self {
                #body
            }
        }
    }
    .into()
}

/// The value of `path` with its fields read in order (or, `empty`, all
/// left at their defaults).
fn construct(path: Tokens, fields: &Fields, empty: bool) -> Tokens {
    let read = |attrs: &[Attribute]| {
        if empty || serde_says(attrs, "skip") {
            quote!(::core::default::Default::default())
        } else if serde_says(attrs, "deserialize_with") {
            quote!(r.nested(crate::wire::Decode::decode))
        } else {
            quote!(crate::wire::Decode::decode(r))
        }
    };
    match fields {
        Fields::Named(named) => {
            let fields = named.named.iter().map(|f| {
                let ident = &f.ident;
                let value = read(&f.attrs);
                quote!(#ident: #value)
            });
            quote!(#path { #(#fields),* })
        }
        Fields::Unnamed(unnamed) => {
            let fields = unnamed.unnamed.iter().map(|f| read(&f.attrs));
            quote!(#path(#(#fields),*))
        }
        Fields::Unit => path,
    }
}

/// Whether a `#[serde(...)]` attribute among `attrs` names `key`.
fn serde_says(attrs: &[Attribute], key: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|a| {
            let mut found = false;
            // Other keys (`rename`, `default = "..."`) are skipped with their values.
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident(key) {
                    found = true;
                }
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                } else if meta.input.peek(syn::token::Paren) {
                    let _ = meta.parse_nested_meta(|_| Ok(()));
                }
                Ok(())
            });
            found
        })
}

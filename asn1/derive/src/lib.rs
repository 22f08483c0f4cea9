//! `#[derive(Asn1)]`: declares a COER type once, with its constraints, and derives
//! `Decode`, `Encode`, `Describe` and `Generate` for it.
//!
//! Container attributes (`#[asn1(...)]` on the type):
//! - `sequence` (struct with named fields), `choice` (enum), `enumerated`
//!   (field-less enum, discriminants are the ASN.1 values), `newtype` (tuple struct
//!   with one field: a type definition that adds a constraint or a name);
//! - `extensible`: the type has an extension marker `...`;
//! - `validate = "path::to::fn"`: a `fn(&Self) -> Result<(), &'static str>` checked
//!   after decoding and before encoding, for constraints such as `WITH COMPONENTS`
//!   or a value set that the structure alone does not express; generated values
//!   that fail it are discarded (`generate` returns `IncorrectFormat`);
//! - `fixup = "path::to::fn"`: a `fn(&mut Self, &mut Unstructured<'a>) -> arbitrary::Result<()>`
//!   run on each generated value before `validate`, to turn a random value into one
//!   that meets the type's constraints (so round-trip tests do not discard most values);
//! - `size(lo..=hi)`, `size(lo..)`, `size(n)` and `range(lo..=hi)`, `range(lo..)`:
//!   the constraint of a `newtype`. Extensible constraints (`(SIZE(1..8,...))`) are
//!   PER-visible only and OER ignores them: declare those without a constraint.
//!
//! Field attributes (SEQUENCE components):
//! - `optional` (type `Option<T>`), `default = "expr"` (type `T`, never encoded
//!   when equal to the default), `ext` (an extension addition, type `Option<T>`),
//!   `unknown_ext` (the `UnknownExtensions` that keep additions this version does
//!   not know; required on every extensible SEQUENCE), `size(..)`, `range(..)`
//!   (constraints of the component's own inline type), `name = "asn1Name"`.
//!
//! Variant attributes (CHOICE alternatives): `tag = n` (defaults to the
//! alternative's position, as with AUTOMATIC TAGS), `ext` (an extension
//! alternative, encoded as an open type), `unknown` (the `UnknownAlternative`
//! catch-all, required on every extensible CHOICE), `size(..)`, `range(..)`,
//! `name = ".."`. A unit variant is a NULL alternative.
use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{
    parse_macro_input, spanned::Spanned, Data, DeriveInput, Expr, ExprLit, ExprUnary, Fields,
    GenericParam, Lifetime, LifetimeParam, Lit, Type, UnOp,
};

#[derive(Default, Clone)]
struct Constraint {
    lo: Option<i128>,
    hi: Option<i128>,
}

#[derive(Default)]
struct Attrs {
    sequence: bool,
    choice: bool,
    enumerated: bool,
    newtype: bool,
    extensible: bool,
    optional: bool,
    default: Option<Expr>,
    ext: bool,
    unknown_ext: bool,
    unknown: bool,
    tag: Option<u64>,
    size: Option<Constraint>,
    range: Option<Constraint>,
    name: Option<String>,
    validate: Option<syn::Path>,
    fixup: Option<syn::Path>,
}

fn lit_i128(e: &Expr) -> syn::Result<i128> {
    match e {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<i128>(),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => Ok(-lit_i128(expr)?),
        Expr::Paren(p) => lit_i128(&p.expr),
        Expr::Group(g) => lit_i128(&g.expr),
        _ => Err(syn::Error::new(e.span(), "expected an integer literal")),
    }
}

fn parse_constraint(input: syn::parse::ParseStream) -> syn::Result<Constraint> {
    let content;
    syn::parenthesized!(content in input);
    let e: Expr = content.parse()?;
    match &e {
        Expr::Range(r) => {
            let lo = r.start.as_ref().map(|x| lit_i128(x)).transpose()?;
            let hi = match (&r.end, &r.limits) {
                (Some(x), syn::RangeLimits::Closed(_)) => Some(lit_i128(x)?),
                (Some(x), syn::RangeLimits::HalfOpen(_)) => Some(lit_i128(x)? - 1),
                (None, _) => None,
            };
            Ok(Constraint { lo, hi })
        }
        other => {
            let v = lit_i128(other)?;
            Ok(Constraint {
                lo: Some(v),
                hi: Some(v),
            })
        }
    }
}

fn parse_attrs(attrs: &[syn::Attribute]) -> syn::Result<Attrs> {
    let mut a = Attrs::default();
    for attr in attrs {
        if !attr.path().is_ident("asn1") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            let p = &meta.path;
            if p.is_ident("sequence") {
                a.sequence = true;
            } else if p.is_ident("choice") {
                a.choice = true;
            } else if p.is_ident("enumerated") {
                a.enumerated = true;
            } else if p.is_ident("newtype") {
                a.newtype = true;
            } else if p.is_ident("extensible") {
                a.extensible = true;
            } else if p.is_ident("optional") {
                a.optional = true;
            } else if p.is_ident("ext") {
                a.ext = true;
            } else if p.is_ident("unknown_ext") {
                a.unknown_ext = true;
            } else if p.is_ident("unknown") {
                a.unknown = true;
            } else if p.is_ident("default") {
                let s: syn::LitStr = meta.value()?.parse()?;
                a.default = Some(s.parse()?);
            } else if p.is_ident("validate") {
                let s: syn::LitStr = meta.value()?.parse()?;
                a.validate = Some(s.parse()?);
            } else if p.is_ident("fixup") {
                let s: syn::LitStr = meta.value()?.parse()?;
                a.fixup = Some(s.parse()?);
            } else if p.is_ident("name") {
                let s: syn::LitStr = meta.value()?.parse()?;
                a.name = Some(s.value());
            } else if p.is_ident("tag") {
                let l: syn::LitInt = meta.value()?.parse()?;
                a.tag = Some(l.base10_parse()?);
            } else if p.is_ident("size") {
                a.size = Some(parse_constraint(meta.input)?);
            } else if p.is_ident("range") {
                a.range = Some(parse_constraint(meta.input)?);
            } else {
                return Err(meta.error("unknown asn1 attribute"));
            }
            Ok(())
        })?;
    }
    Ok(a)
}

fn opt_lit(v: Option<i128>, unsigned: bool) -> TokenStream2 {
    match v {
        Some(x) if unsigned => {
            let x = x.max(0) as u64;
            quote!(::core::option::Option::Some(#x))
        }
        Some(x) => quote!(::core::option::Option::Some(#x)),
        None => quote!(::core::option::Option::None),
    }
}

/// How one component's inner type (after Option) is decoded, encoded, generated.
struct Codec {
    decode: TokenStream2,
    encode: TokenStream2,
    generate: TokenStream2,
}

/// `v` in `encode` is an expression of type `&T`.
fn codec_for(ty: &Type, a: &Attrs, lt: &Lifetime) -> Codec {
    let krate = quote!(::scms_asn1::codec);
    if let Some(c) = &a.size {
        let lo = c.lo.unwrap_or(0).max(0) as u64;
        let hi = opt_lit(c.hi, true);
        Codec {
            decode: quote!(<#ty as #krate::SizeConstrained<#lt>>::decode_sized(d, #lo, #hi)),
            encode: quote!(<#ty as #krate::SizeConstrained<'_>>::encode_sized(v, e, #lo, #hi)),
            generate: quote!(<#ty as #krate::SizeConstrained<#lt>>::generate_sized(u, #lo, #hi)),
        }
    } else if let Some(c) = &a.range {
        let lo = opt_lit(c.lo, false);
        let hi = opt_lit(c.hi, false);
        Codec {
            decode: quote!(#krate::decode_int::<#ty>(d, #lo, #hi)),
            encode: quote!(#krate::encode_int::<#ty>(e, *v, #lo, #hi)),
            generate: quote!(#krate::generate_int::<#ty>(u, #lo, #hi)),
        }
    } else {
        Codec {
            decode: quote!(<#ty as #krate::Decode<#lt>>::decode(d)),
            encode: quote!(<#ty as #krate::Encode>::encode(v, e)),
            generate: quote!(<#ty as #krate::Generate<#lt>>::generate(u)),
        }
    }
}

fn option_inner(ty: &Type) -> Option<&Type> {
    if let Type::Path(p) = ty {
        let seg = p.path.segments.last()?;
        if seg.ident == "Option" {
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                if let Some(syn::GenericArgument::Type(t)) = args.args.first() {
                    return Some(t);
                }
            }
        }
    }
    None
}

fn lower_camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for (i, c) in snake.trim_start_matches("r#").chars().enumerate() {
        if c == '_' {
            upper = i > 0;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn lower_first(pascal: &str) -> String {
    let mut c = pascal.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[proc_macro_derive(Asn1, attributes(asn1))]
pub fn derive_asn1(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: DeriveInput) -> syn::Result<TokenStream2> {
    let attrs = parse_attrs(&input.attrs)?;
    let name = &input.ident;
    let type_name = attrs.name.clone().unwrap_or_else(|| name.to_string());

    // The lifetime that decoded values borrow: the type's own, or a fresh one.
    let own_lt = input.generics.params.iter().find_map(|p| match p {
        GenericParam::Lifetime(l) => Some(l.lifetime.clone()),
        _ => None,
    });
    let lt = own_lt
        .clone()
        .unwrap_or_else(|| Lifetime::new("'__de", Span::call_site()));
    let mut gen_de = input.generics.clone();
    if own_lt.is_none() {
        gen_de
            .params
            .push(GenericParam::Lifetime(LifetimeParam::new(lt.clone())));
    }
    let (impl_de, _, _) = gen_de.split_for_impl();
    let (impl_g, ty_g, where_g) = input.generics.split_for_impl();
    let krate = quote!(::scms_asn1::codec);

    let (decode_body, encode_body, describe_body, generate_body) = match &input.data {
        Data::Struct(s) if attrs.sequence => {
            let Fields::Named(fields) = &s.fields else {
                return Err(syn::Error::new(
                    name.span(),
                    "a sequence needs named fields",
                ));
            };
            expand_sequence(&attrs, &type_name, fields, &lt)?
        }
        Data::Struct(s) if attrs.newtype => {
            let Fields::Unnamed(fields) = &s.fields else {
                return Err(syn::Error::new(name.span(), "a newtype is a tuple struct"));
            };
            if fields.unnamed.len() != 1 {
                return Err(syn::Error::new(
                    name.span(),
                    "a newtype has exactly one field",
                ));
            }
            let ty = &fields.unnamed[0].ty;
            let c = codec_for(ty, &attrs, &lt);
            let (dec, enc, gen) = (c.decode, c.encode, c.generate);
            (
                quote!(::core::result::Result::Ok(Self(#dec?))),
                quote!({ let v = &self.0; #enc }),
                quote!(#krate::Describe::describe(&self.0)),
                quote!(::core::result::Result::Ok(Self(#gen?))),
            )
        }
        Data::Enum(en) if attrs.choice => expand_choice(&attrs, en, &lt)?,
        Data::Enum(en) if attrs.enumerated => expand_enumerated(en)?,
        _ => {
            return Err(syn::Error::new(
                name.span(),
                "declare #[asn1(sequence|choice|enumerated|newtype)]",
            ))
        }
    };

    let (decode_body, encode_body) = match &attrs.validate {
        Some(f) => (
            quote! {
                let __start = d.position();
                let __v: Self = (|| -> ::core::result::Result<Self, #krate::DecodeError> { #decode_body })()?;
                #f(&__v).map_err(|m| d.error_at(#krate::ErrorKind::Constraint(m), __start))?;
                ::core::result::Result::Ok(__v)
            },
            quote! {
                #f(self).map_err(|m| #krate::EncodeError::new(#krate::ErrorKind::Constraint(m)))?;
                #encode_body
            },
        ),
        None => (decode_body, encode_body),
    };
    let generate_body = if attrs.validate.is_some() || attrs.fixup.is_some() {
        let fix = attrs.fixup.as_ref().map(|f| quote!(#f(&mut __v, u)?;));
        let check = attrs
            .validate
            .as_ref()
            .map(|f| quote!(#f(&__v).map_err(|_| ::arbitrary::Error::IncorrectFormat)?;));
        quote! {
            let mut __v: Self = (|| -> ::arbitrary::Result<Self> { #generate_body })()?;
            #fix
            #check
            ::core::result::Result::Ok(__v)
        }
    } else {
        generate_body
    };
    Ok(quote! {
        impl #impl_de #krate::Decode<#lt> for #name #ty_g #where_g {
            #[allow(clippy::redundant_closure_call, unused_mut, unused_variables)]
            fn decode(d: &mut #krate::Decoder<#lt>) -> ::core::result::Result<Self, #krate::DecodeError> {
                #decode_body
            }
        }
        impl #impl_g #krate::Encode for #name #ty_g #where_g {
            #[allow(unused_variables, clippy::needless_borrow)]
            fn encode(&self, e: &mut #krate::Encoder) -> ::core::result::Result<(), #krate::EncodeError> {
                #encode_body
            }
        }
        impl #impl_g #krate::Describe for #name #ty_g #where_g {
            fn describe(&self) -> #krate::Value {
                #describe_body
            }
        }
        impl #impl_de #krate::Generate<#lt> for #name #ty_g #where_g {
            #[allow(unused_variables, unused_mut, clippy::redundant_closure_call)]
            fn generate(u: &mut ::arbitrary::Unstructured<#lt>) -> ::arbitrary::Result<Self> {
                #generate_body
            }
        }
    })
}

type Bodies = (TokenStream2, TokenStream2, TokenStream2, TokenStream2);

fn expand_sequence(
    attrs: &Attrs,
    type_name: &str,
    fields: &syn::FieldsNamed,
    lt: &Lifetime,
) -> syn::Result<Bodies> {
    let krate = quote!(::scms_asn1::codec);
    let mut root_decode = Vec::new();
    let mut root_encode = Vec::new();
    let mut presence = Vec::new();
    let mut ext_decls = Vec::new();
    let mut ext_decode_arms = Vec::new();
    let mut ext_encode_arms = Vec::new();
    let mut ext_present = Vec::new();
    let mut ext_highest = Vec::new();
    let mut ext_bits = Vec::new();
    let mut describe = Vec::new();
    let mut generate = Vec::new();
    let mut names = Vec::new();
    let mut unknown_field: Option<syn::Ident> = None;
    let mut n_opt = 0usize;
    let mut n_ext = 0usize;

    for f in &fields.named {
        let a = parse_attrs(&f.attrs)?;
        let id = f
            .ident
            .clone()
            .ok_or_else(|| syn::Error::new(f.span(), "unnamed field"))?;
        let asn_name = a
            .name
            .clone()
            .unwrap_or_else(|| lower_camel(&id.to_string()));
        names.push(id.clone());
        if a.unknown_ext {
            unknown_field = Some(id.clone());
            describe.push(quote! {
                if !self.#id.is_empty() {
                    fields.push(("unknownExtensions", #krate::Describe::describe(&self.#id)));
                }
            });
            generate.push(quote!(let #id = ::core::default::Default::default();));
            continue;
        }
        if a.ext {
            let inner = option_inner(&f.ty).ok_or_else(|| {
                syn::Error::new(f.ty.span(), "an extension addition is an Option<T>")
            })?;
            let c = codec_for(inner, &a, lt);
            let (dec, enc, gen) = (c.decode, c.encode, c.generate);
            let idx = n_ext;
            ext_decls.push(
                quote!(let mut #id: ::core::option::Option<#inner> = ::core::option::Option::None;),
            );
            ext_decode_arms.push(quote! {
                #idx => { #id = ::core::option::Option::Some(d.read_open_with(|d| #dec).map_err(|er| er.in_field(#asn_name))?); }
            });
            ext_encode_arms.push(quote! {
                #idx => if let ::core::option::Option::Some(v) = &self.#id {
                    e.write_open_with(|e| #enc).map_err(|er| er.in_field(#asn_name))?;
                },
            });
            ext_present.push(quote!(self.#id.is_some()));
            ext_highest.push(quote!(if self.#id.is_some() { highest = #idx + 1; }));
            // A bitmap kept from an older peer may be shorter than the known
            // additions; the absent ones beyond it need no bit.
            ext_bits.push(quote!(if #idx < n { bits[#idx] = self.#id.is_some(); }));
            describe.push(quote! {
                if let ::core::option::Option::Some(v) = &self.#id {
                    fields.push((#asn_name, #krate::Describe::describe(v)));
                }
            });
            generate.push(quote! {
                let #id = if u.arbitrary::<bool>()? { ::core::option::Option::Some(#gen?) } else { ::core::option::Option::None };
            });
            n_ext += 1;
            continue;
        }
        if a.optional {
            let inner = option_inner(&f.ty).ok_or_else(|| {
                syn::Error::new(f.ty.span(), "an OPTIONAL component is an Option<T>")
            })?;
            let c = codec_for(inner, &a, lt);
            let (dec, enc, gen) = (c.decode, c.encode, c.generate);
            n_opt += 1;
            root_decode.push(quote! {
                let #id = if pre.next_bit() {
                    ::core::option::Option::Some(#dec.map_err(|er| er.in_field(#asn_name))?)
                } else {
                    ::core::option::Option::None
                };
            });
            presence.push(quote!(self.#id.is_some()));
            root_encode.push(quote! {
                if let ::core::option::Option::Some(v) = &self.#id {
                    #enc.map_err(|er| er.in_field(#asn_name))?;
                }
            });
            describe.push(quote! {
                if let ::core::option::Option::Some(v) = &self.#id {
                    fields.push((#asn_name, #krate::Describe::describe(v)));
                }
            });
            generate.push(quote! {
                let #id = if u.arbitrary::<bool>()? { ::core::option::Option::Some(#gen?) } else { ::core::option::Option::None };
            });
        } else if let Some(def) = &a.default {
            let ty = &f.ty;
            let c = codec_for(ty, &a, lt);
            let (dec, enc, gen) = (c.decode, c.encode, c.generate);
            n_opt += 1;
            root_decode.push(quote! {
                let #id: #ty = if pre.next_bit() {
                    let at = d.position();
                    let v: #ty = #dec.map_err(|er| er.in_field(#asn_name))?;
                    if v == #def {
                        return ::core::result::Result::Err(
                            d.error_at(#krate::ErrorKind::ExplicitDefault, at).in_field(#asn_name));
                    }
                    v
                } else {
                    #def
                };
            });
            presence.push(quote!(self.#id != #def));
            root_encode.push(quote! {
                if self.#id != #def {
                    let v = &self.#id;
                    #enc.map_err(|er| er.in_field(#asn_name))?;
                }
            });
            describe.push(quote!(fields.push((#asn_name, #krate::Describe::describe(&self.#id)));));
            generate.push(quote!(let #id: #ty = #gen?;));
        } else {
            let ty = &f.ty;
            let c = codec_for(ty, &a, lt);
            let (dec, enc, gen) = (c.decode, c.encode, c.generate);
            root_decode.push(quote!(let #id = #dec.map_err(|er| er.in_field(#asn_name))?;));
            root_encode.push(quote! {
                { let v = &self.#id; #enc.map_err(|er| er.in_field(#asn_name))?; }
            });
            describe.push(quote!(fields.push((#asn_name, #krate::Describe::describe(&self.#id)));));
            generate.push(quote!(let #id = #gen?;));
        }
    }

    if attrs.extensible && unknown_field.is_none() {
        return Err(syn::Error::new(
            Span::call_site(),
            "an extensible SEQUENCE needs a field #[asn1(unknown_ext)] of type UnknownExtensions",
        ));
    }
    if !attrs.extensible && (n_ext > 0 || unknown_field.is_some()) {
        return Err(syn::Error::new(
            Span::call_site(),
            "extension additions need #[asn1(extensible)]",
        ));
    }
    if n_opt + usize::from(attrs.extensible) > 64 {
        return Err(syn::Error::new(
            Span::call_site(),
            "more than 63 OPTIONAL components",
        ));
    }

    let nbits = n_opt + usize::from(attrs.extensible);
    let ext_flag_decode = if attrs.extensible {
        quote!(pre.next_bit())
    } else {
        quote!(false)
    };
    let (ext_decode, ext_encode, ext_flag_encode) = if let Some(unk) = &unknown_field {
        let dec = quote! {
            let mut #unk = #krate::UnknownExtensions::default();
            #(#ext_decls)*
            if ext_present {
                let bm = d.read_extension_bitmap()?;
                for i in 0..bm.len() {
                    if !bm.get(i) { continue; }
                    match i {
                        #(#ext_decode_arms)*
                        _ => {
                            let raw = d.read_open_raw()?;
                            #unk.items.push((i as u32, raw.to_vec()));
                        }
                    }
                }
                if bm.len() != #n_ext {
                    #unk.bitmap_bits = ::core::option::Option::Some(bm.len() as u32);
                }
            }
        };
        let enc = quote! {
            if ext_present {
                let mut highest = 0usize;
                #(#ext_highest)*
                let n = self.#unk.bitmap_len(#n_ext, highest);
                let mut bits = ::std::vec![false; n];
                #(#ext_bits)*
                for (i, _) in &self.#unk.items { if (*i as usize) < n { bits[*i as usize] = true; } }
                e.write_extension_bitmap(&bits);
                for i in 0..n {
                    match i {
                        #(#ext_encode_arms)*
                        _ => self.#unk.write(i, e),
                    }
                }
            }
        };
        let flag = quote!(let ext_present = false #(|| #ext_present)* || !self.#unk.is_empty(););
        (dec, enc, flag)
    } else {
        (quote!(), quote!(), quote!(let ext_present = false;))
    };
    let ext_bit_vec = if attrs.extensible {
        quote!(ext_present,)
    } else {
        quote!()
    };

    let decode = quote! {
        d.enter()?;
        let mut pre = d.read_preamble(#nbits)?;
        let ext_present: bool = #ext_flag_decode;
        #(#root_decode)*
        #ext_decode
        d.leave();
        ::core::result::Result::Ok(Self { #(#names),* })
    };
    let encode = quote! {
        #ext_flag_encode
        e.write_preamble(&[#ext_bit_vec #(#presence),*]);
        #(#root_encode)*
        #ext_encode
        ::core::result::Result::Ok(())
    };
    let describe = quote! {
        let mut fields: ::std::vec::Vec<(&'static str, #krate::Value)> = ::std::vec::Vec::new();
        #(#describe)*
        #krate::Value::Seq(#type_name, fields)
    };
    let generate = quote! {
        #(#generate)*
        ::core::result::Result::Ok(Self { #(#names),* })
    };
    Ok((decode, encode, describe, generate))
}

fn expand_choice(attrs: &Attrs, en: &syn::DataEnum, lt: &Lifetime) -> syn::Result<Bodies> {
    let krate = quote!(::scms_asn1::codec);
    let mut decode_arms = Vec::new();
    let mut encode_arms = Vec::new();
    let mut describe_arms = Vec::new();
    let mut generate_arms = Vec::new();
    let mut unknown: Option<syn::Ident> = None;
    let mut position = 0u64;
    let mut used = std::collections::BTreeSet::new();

    for v in &en.variants {
        let a = parse_attrs(&v.attrs)?;
        let vid = &v.ident;
        if a.unknown {
            unknown = Some(vid.clone());
            encode_arms.push(quote! {
                Self::#vid(alt) => { e.write_choice_tag(alt.tag); e.write_open_raw(&alt.bytes); }
            });
            describe_arms.push(quote!(Self::#vid(alt) => #krate::Describe::describe(alt),));
            continue;
        }
        let tag = a.tag.unwrap_or(position);
        position = tag + 1;
        if !used.insert(tag) {
            return Err(syn::Error::new(v.span(), "duplicate CHOICE tag"));
        }
        let asn_name = a
            .name
            .clone()
            .unwrap_or_else(|| lower_first(&vid.to_string()));
        let gi = generate_arms.len();
        match &v.fields {
            Fields::Unit => {
                let payload_dec = if a.ext {
                    quote!({
                        d.read_open_with(|_d| ::core::result::Result::Ok(()))?;
                    })
                } else {
                    quote!()
                };
                let payload_enc = if a.ext {
                    quote!(e.write_open_raw(&[]);)
                } else {
                    quote!()
                };
                decode_arms.push(quote!(#tag => { #payload_dec Self::#vid }));
                encode_arms.push(quote!(Self::#vid => { e.write_choice_tag(#tag); #payload_enc }));
                describe_arms.push(quote!(Self::#vid => #krate::Value::Choice(#asn_name, ::std::boxed::Box::new(#krate::Value::Null)),));
                generate_arms.push(quote!(#gi => Self::#vid,));
            }
            Fields::Unnamed(fs) if fs.unnamed.len() == 1 => {
                let ty = &fs.unnamed[0].ty;
                let c = codec_for(ty, &a, lt);
                let (dec, enc, gen) = (c.decode, c.encode, c.generate);
                if a.ext {
                    decode_arms.push(quote! {
                        #tag => Self::#vid(d.read_open_with(|d| #dec).map_err(|er| er.in_field(#asn_name))?)
                    });
                    encode_arms.push(quote! {
                        Self::#vid(v) => { e.write_choice_tag(#tag); e.write_open_with(|e| #enc).map_err(|er| er.in_field(#asn_name))?; }
                    });
                } else {
                    decode_arms.push(quote! {
                        #tag => Self::#vid(#dec.map_err(|er| er.in_field(#asn_name))?)
                    });
                    encode_arms.push(quote! {
                        Self::#vid(v) => { e.write_choice_tag(#tag); #enc.map_err(|er| er.in_field(#asn_name))?; }
                    });
                }
                describe_arms.push(quote! {
                    Self::#vid(v) => #krate::Value::Choice(#asn_name, ::std::boxed::Box::new(#krate::Describe::describe(v))),
                });
                generate_arms.push(quote!(#gi => Self::#vid(#gen?),));
            }
            _ => {
                return Err(syn::Error::new(
                    v.span(),
                    "a CHOICE alternative has one unnamed field or none",
                ))
            }
        }
    }
    if attrs.extensible && unknown.is_none() {
        return Err(syn::Error::new(
            Span::call_site(),
            "an extensible CHOICE needs a variant #[asn1(unknown)] Unknown(UnknownAlternative)",
        ));
    }
    let fallback = match &unknown {
        Some(vid) => quote! {
            tag => Self::#vid(#krate::UnknownAlternative { tag, bytes: d.read_open_raw()?.to_vec() })
        },
        None => quote! {
            tag => return ::core::result::Result::Err(d.error_at(#krate::ErrorKind::UnknownChoice { tag }, at))
        },
    };
    let n = generate_arms.len();
    let decode = quote! {
        d.enter()?;
        let at = d.position();
        let tag = d.read_choice_tag()?;
        let v = match tag {
            #(#decode_arms,)*
            #fallback,
        };
        d.leave();
        ::core::result::Result::Ok(v)
    };
    let encode = quote! {
        match self { #(#encode_arms)* }
        ::core::result::Result::Ok(())
    };
    let describe = quote!(match self { #(#describe_arms)* });
    let generate = quote! {
        let i = u.choose_index(#n).unwrap_or(0);
        ::core::result::Result::Ok(match i {
            #(#generate_arms)*
            _ => return ::core::result::Result::Err(::arbitrary::Error::IncorrectFormat),
        })
    };
    Ok((decode, encode, describe, generate))
}

fn expand_enumerated(en: &syn::DataEnum) -> syn::Result<Bodies> {
    let krate = quote!(::scms_asn1::codec);
    let mut values = Vec::new();
    let mut next: i128 = 0;
    let mut decode_arms = Vec::new();
    let mut encode_arms = Vec::new();
    let mut describe_arms = Vec::new();
    let mut generate_arms = Vec::new();
    for (i, v) in en.variants.iter().enumerate() {
        if !matches!(v.fields, Fields::Unit) {
            return Err(syn::Error::new(v.span(), "ENUMERATED items have no fields"));
        }
        let a = parse_attrs(&v.attrs)?;
        let val = match &v.discriminant {
            Some((_, e)) => lit_i128(e)?,
            None => next,
        };
        next = val + 1;
        values.push(val);
        let vid = &v.ident;
        let asn_name = a
            .name
            .clone()
            .unwrap_or_else(|| lower_first(&vid.to_string()));
        let val64 = val as i64;
        decode_arms.push(quote!(#val64 => Self::#vid,));
        encode_arms.push(quote!(Self::#vid => #val64,));
        describe_arms.push(quote!(Self::#vid => #krate::Value::Enum(#asn_name),));
        generate_arms.push(quote!(#i => Self::#vid,));
    }
    let n = values.len();
    let decode = quote! {
        let at = d.position();
        let v = #krate::decode_enumerated(d)?;
        ::core::result::Result::Ok(match v {
            #(#decode_arms)*
            other => return ::core::result::Result::Err(d.error_at(#krate::ErrorKind::UnknownEnumerated(other), at)),
        })
    };
    let encode = quote! {
        let v: i64 = match self { #(#encode_arms)* };
        #krate::encode_enumerated(e, v);
        ::core::result::Result::Ok(())
    };
    let describe = quote!(match self { #(#describe_arms)* });
    let generate = quote! {
        let i = u.choose_index(#n).unwrap_or(0);
        ::core::result::Result::Ok(match i {
            #(#generate_arms)*
            _ => return ::core::result::Result::Err(::arbitrary::Error::IncorrectFormat),
        })
    };
    let _ = format_ident!("unused");
    Ok((decode, encode, describe, generate))
}

//! `blastradius import`: DOT (hand-drawn and `terraform graph` output) and
//! Backstage catalogs become valid topologies, with the mapping the header
//! comment promises, and bad input gets located errors.
//!
//! Every successful import is loaded back with `blastradius::topology::load`
//! and checked through the loaded topology, so these tests see what
//! `validate` and `check` will see.

use blastradius::import::{self, Format};
use blastradius::topology::{self, Criticality, Service, Topology};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect("fixture")
}

/// Imports a fixture and loads the result; panics with the output on failure.
fn imported(format: Format, file: &str) -> (String, Topology) {
    let text = fixture(file);
    let out = import::import(format, file, &text).unwrap_or_else(|e| panic!("{e}"));
    let topo = load(&out);
    (out, topo)
}

fn load(out: &str) -> Topology {
    topology::load("imported.toml", out).unwrap_or_else(|e| panic!("{e}\n--- output ---\n{out}"))
}

/// The service ids, sorted (the loaded topology keeps its own order).
fn ids(t: &Topology) -> Vec<&str> {
    let mut v: Vec<&str> = t.services().iter().map(|s| s.id.as_str()).collect();
    v.sort_unstable();
    v
}

fn sorted<'a>(ids: &[&'a str]) -> Vec<&'a str> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v
}

/// Service ids in the order the output declares them.
fn declared(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("[services."))
        .map(|l| l.trim_end_matches(']').trim_matches('"').to_string())
        .collect()
}

fn svc<'t>(t: &'t Topology, id: &str) -> &'t Service {
    t.services()
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no service `{id}` in {:?}", ids(t)))
}

fn requires<'t>(t: &'t Topology, id: &str) -> Vec<&'t str> {
    svc(t, id).requires.iter().map(|&n| t.id(n)).collect()
}

fn wants<'t>(t: &'t Topology, id: &str) -> Vec<&'t str> {
    svc(t, id).wants.iter().map(|&n| t.id(n)).collect()
}

/// The leading comment block.
fn header(out: &str) -> String {
    out.lines()
        .take_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What every import's header must tell the operator.
fn assert_header(out: &str, file: &str) {
    let h = header(out);
    assert!(h.contains(file), "header names the source file:\n{h}");
    for needed in ["[groups.", "users", "boot", "zone"] {
        assert!(h.contains(needed), "header asks for {needed}:\n{h}");
    }
    assert!(h.contains("Still to fill in"), "{h}");
}

fn dot_err(text: &str) -> blastradius::diag::Diagnostic {
    import::dot("bad.dot", text)
        .expect_err("should fail")
        .0
        .remove(0)
}

fn backstage_err(text: &str) -> blastradius::diag::Diagnostics {
    import::backstage("catalog-info.yaml", text).expect_err("should fail")
}

// --- DOT: terraform graph ---------------------------------------------------------

#[test]
fn terraform_graph_keeps_resources_and_carries_dependencies_through_internals() {
    let (out, t) = imported(Format::Dot, "terraform-legacy.dot");
    assert_header(&out, "terraform-legacy.dot");
    assert!(header(&out).contains("terraform graph"));
    assert_eq!(
        ids(&t),
        sorted(&[
            "aws_db_instance.orders",
            "aws_instance.web",
            "aws_lb.front",
            "aws_lb_target_group.web",
            "aws_lb_target_group_attachment.web",
            "aws_security_group.web",
            "data.aws_ami.ubuntu",
            "module.vpc.aws_subnet.private",
            "module.vpc.aws_vpc.this",
        ]),
        "root, var, local, output, provider, meta, module and (close) nodes are dropped"
    );
    // Through module.vpc.output.private_subnet_id (an internal node).
    assert_eq!(
        requires(&t, "aws_db_instance.orders"),
        ["module.vpc.aws_subnet.private"]
    );
    // Through local.web_subnet, then the module output.
    assert_eq!(
        requires(&t, "aws_instance.web"),
        [
            "aws_db_instance.orders",
            "aws_security_group.web",
            "data.aws_ami.ubuntu",
            "module.vpc.aws_subnet.private"
        ]
    );
    assert_eq!(
        requires(&t, "aws_lb_target_group_attachment.web"),
        ["aws_instance.web", "aws_lb_target_group.web"]
    );
    assert_eq!(
        requires(&t, "module.vpc.aws_subnet.private"),
        ["module.vpc.aws_vpc.this"]
    );
    // Edges into the provider (and from it to var.region) lead nowhere.
    assert!(requires(&t, "aws_security_group.web").is_empty());
    assert!(requires(&t, "module.vpc.aws_vpc.this").is_empty());
    assert_eq!(
        svc(&t, "aws_instance.web").kind.as_deref(),
        Some("aws_instance")
    );
    assert_eq!(
        svc(&t, "data.aws_ami.ubuntu").kind.as_deref(),
        Some("aws_ami")
    );
    assert_eq!(t.name, "terraform-legacy");
    // Ids with a dot are quoted keys, not nested tables.
    assert!(out.contains("[services.\"aws_instance.web\"]"));
}

#[test]
fn terraform_addresses_become_valid_unique_ids_with_the_original_as_name() {
    let (out, t) = imported(Format::Dot, "terraform.dot");
    assert_header(&out, "terraform.dot");
    assert_eq!(
        ids(&t),
        sorted(&[
            "aws_instance.worker-0",
            "aws_instance.worker-1",
            "aws_instance.worker_0",
            "aws_lb.front",
            "aws_security_group.web"
        ])
    );
    assert_eq!(
        svc(&t, "aws_instance.worker-0").name,
        "aws_instance.worker[0]"
    );
    assert_eq!(
        svc(&t, "aws_instance.worker-1").name,
        "aws_instance.worker[1]"
    );
    assert_eq!(
        svc(&t, "aws_instance.worker_0").name,
        "aws_instance.worker_0"
    );
    assert_eq!(
        requires(&t, "aws_lb.front"),
        [
            "aws_instance.worker-0",
            "aws_instance.worker-1",
            "aws_security_group.web"
        ]
    );
}

#[test]
fn provider_and_quoted_ids_outside_terraform_mode_are_sanitized() {
    let text = r#"digraph {
        "provider[\"registry.terraform.io/hashicorp/aws\"]";
        "a b" -> "a-b";
        "a  b" -> "provider[\"registry.terraform.io/hashicorp/aws\"]";
    }"#;
    let out = import::dot("x.dot", text).unwrap();
    let t = load(&out);
    assert_eq!(
        ids(&t),
        sorted(&[
            "provider-registry.terraform.io-hashicorp-aws",
            "a-b-2",
            "a-b",
            "a-b-3"
        ])
    );
    assert_eq!(svc(&t, "a-b-2").name, "a b");
    assert_eq!(svc(&t, "a-b-3").name, "a  b");
    assert_eq!(requires(&t, "a-b-2"), ["a-b"]);
    assert_eq!(
        requires(&t, "a-b-3"),
        ["provider-registry.terraform.io-hashicorp-aws"]
    );
}

#[test]
fn a_terraform_graph_of_internals_only_is_an_error() {
    let e = dot_err(
        "digraph {\n subgraph \"root\" {\n \"[root] var.a\"\n \"[root] root\" -> \"[root] var.a\"\n }\n}\n",
    );
    assert!(e.message.contains("no resources"), "{e}");
    assert_eq!((e.line, e.column), (1, 1));
}

// --- DOT: hand-drawn ----------------------------------------------------------------

#[test]
fn hand_drawn_dot_maps_nodes_edges_labels_and_clusters() {
    let (out, t) = imported(Format::Dot, "services.dot");
    assert_header(&out, "services.dot");
    assert_eq!(
        ids(&t),
        sorted(&[
            "Public-site",
            "lb",
            "app-1",
            "app-2",
            "orders_db",
            "cache",
            "svc-payments-2",
            "payments-gateway",
            "svc-payments",
            "-1.5",
            "42",
        ])
    );
    // Services are written in order of first mention.
    assert_eq!(
        declared(&out),
        [
            "Public-site",
            "lb",
            "orders_db",
            "cache",
            "app-1",
            "app-2",
            "svc-payments-2",
            "payments-gateway",
            "svc-payments",
            "-1.5",
            "42",
        ]
    );
    // A quoted id with a space: valid id, the label as name, the original in
    // a comment.
    let site = svc(&t, "Public-site");
    assert_eq!(site.name, "Public site (www)");
    assert!(out.contains("# DOT node \"Public site\""));
    // The repeated edge is merged.
    assert_eq!(requires(&t, "Public-site"), ["lb"]);
    // Port and compass point are not part of the node; a chain into a
    // `{ }` subgraph and out of it.
    assert_eq!(requires(&t, "lb"), ["app-1", "app-2"]);
    // Self-loop dropped; `{ a; b } -> c`.
    assert_eq!(
        requires(&t, "app-1"),
        ["orders_db", "cache", "svc-payments"]
    );
    assert_eq!(
        requires(&t, "app-2"),
        ["orders_db", "cache", "svc-payments-2"]
    );
    // `"payments " + "gateway"` concatenation; `svc/payments` made valid
    // without taking the id `svc-payments` that was valid as written.
    assert_eq!(svc(&t, "svc-payments-2").name, "svc/payments");
    assert_eq!(requires(&t, "svc-payments-2"), ["payments-gateway"]);
    assert_eq!(svc(&t, "payments-gateway").name, "payments gateway");
    // HTML labels lose their tags.
    assert_eq!(svc(&t, "orders_db").name, "Orders DB");
    assert_eq!(requires(&t, "-1.5"), ["42"]);
    // Clusters become comments that point at `zone`.
    assert!(out.contains("# in DOT cluster \"Edge (az-a)\"\n[services.Public-site]"));
    assert!(out.contains("# in DOT cluster \"Data tier\"\n[services.orders_db]"));
    assert!(
        header(&out).contains("1 self-loop dropped"),
        "{}",
        header(&out)
    );
    // No services get facts the input did not give.
    for s in t.services() {
        assert_eq!(s.criticality, Criticality::Medium);
        assert!(s.users.is_none() && s.zone.is_none() && s.team.is_none());
    }
    assert!(t.groups().is_empty());
}

#[test]
fn import_is_deterministic() {
    for (format, file) in [
        (Format::Dot, "services.dot"),
        (Format::Dot, "terraform-legacy.dot"),
        (Format::Backstage, "catalog-info.yaml"),
    ] {
        let text = fixture(file);
        let a = import::import(format, file, &text).unwrap();
        let b = import::import(format, file, &text).unwrap();
        assert_eq!(a, b, "{file}");
    }
}

#[test]
fn cycles_are_kept_and_load() {
    let out = import::dot("c.dot", "digraph { a -> b -> c -> a }").unwrap();
    let t = load(&out);
    assert_eq!(requires(&t, "c"), ["a"]);
}

#[test]
fn dot_errors_are_located_with_help() {
    let e = dot_err("digraph {\n  web -> ;\n}\n");
    assert_eq!((e.file.as_str(), e.line, e.column), ("bad.dot", 2, 10));
    assert!(e.message.contains("expected a node"), "{e}");
    let shown = e.to_string();
    assert!(shown.contains("--> bad.dot:2:10"), "{shown}");
    assert!(shown.contains("web -> ;"), "{shown}");
    assert!(shown.contains("help:"), "{shown}");

    let e = dot_err("graph {\n  a -- b\n}\n");
    assert!(e.message.contains("undirected"), "{e}");
    assert!(e.help.as_deref().unwrap().contains("digraph"));

    let e = dot_err("digraph {\n  \"never closed -> b\n}\n");
    assert_eq!((e.line, e.column), (2, 3));
    assert!(e.message.contains("unterminated string"));

    let e = dot_err("digraph {}\n");
    assert!(e.message.contains("no nodes"), "{e}");

    let e = dot_err("digraph { a -> b } digraph { c }");
    assert!(e.message.contains("second graph"), "{e}");
}

// --- Backstage --------------------------------------------------------------------------

#[test]
fn backstage_catalog_maps_entities_and_relations() {
    let (out, t) = imported(Format::Backstage, "catalog-info.yaml");
    assert_header(&out, "catalog-info.yaml");
    assert_eq!(
        ids(&t),
        sorted(&[
            "shop",
            "storefront",
            "orders",
            "orders-db",
            "sessions-cache",
            "legacy.orders",
            "payments-db",
            "legacy.orders-db",
        ])
    );
    // Entities in file order, then placeholders.
    assert_eq!(
        declared(&out),
        [
            "shop",
            "storefront",
            "orders",
            "orders-db",
            "sessions-cache",
            "legacy.orders",
            "payments-db",
            "legacy.orders-db",
        ]
    );
    // The only System names the topology.
    assert_eq!(t.name, "shop");

    // System: kind "system", requires each entity whose spec.system names it.
    let shop = svc(&t, "shop");
    assert_eq!(shop.name, "Web shop");
    assert_eq!(shop.kind.as_deref(), Some("system"));
    assert_eq!(shop.team.as_deref(), Some("web-team"));
    assert_eq!(requires(&t, "shop"), ["storefront", "orders", "orders-db"]);

    // Component: title -> name, type -> kind, owner -> team, lifecycle
    // production -> high, dependsOn -> requires, consumesApis -> wants on the
    // provider.
    let front = svc(&t, "storefront");
    assert_eq!(front.name, "Storefront website");
    assert_eq!(front.kind.as_deref(), Some("website"));
    assert_eq!(front.team.as_deref(), Some("web-team"));
    assert_eq!(front.criticality, Criticality::High);
    assert_eq!(requires(&t, "storefront"), ["sessions-cache"]);
    assert_eq!(wants(&t, "storefront"), ["orders"]);
    assert!(out.contains("dropped: consumes API `search-api`"));

    // `user:default/jdoe` -> "jdoe"; its dependsOn on itself is dropped
    // with a note; the dangling reference becomes a placeholder.
    let orders = svc(&t, "orders");
    assert_eq!(orders.team.as_deref(), Some("jdoe"));
    assert_eq!(requires(&t, "orders"), ["orders-db", "payments-db"]);
    assert!(out.contains("dropped: dependsOn `component:orders` is itself"));

    // Resource with no title: the entity name; lifecycle experimental -> low.
    assert_eq!(svc(&t, "orders-db").kind.as_deref(), Some("database"));
    assert_eq!(svc(&t, "orders-db").team.as_deref(), Some("dba"));
    let cache = svc(&t, "sessions-cache");
    assert_eq!(cache.criticality, Criticality::Low);
    // `payments-db` (no kind) and `resource:default/payments-db` share one
    // placeholder.
    assert_eq!(requires(&t, "sessions-cache"), ["payments-db"]);
    let ph = svc(&t, "payments-db");
    assert_eq!(ph.name, "resource:default/payments-db");
    assert_eq!(ph.kind.as_deref(), Some("resource"));
    assert!(out.contains("# PLACEHOLDER: resource:default/payments-db is not"));

    // Another namespace: the id is qualified where the name clashes, the
    // lifecycle deprecated leaves the default criticality, and a reference
    // without a namespace stays in the entity's own namespace.
    let legacy = svc(&t, "legacy.orders");
    assert_eq!(legacy.name, "Orders (old monolith)");
    assert_eq!(legacy.criticality, Criticality::Medium);
    assert_eq!(requires(&t, "legacy.orders"), ["legacy.orders-db"]);
    assert!(out.contains("part of system `default/ghost-system`, which is not in this file"));

    // Descriptions become one comment line; skipped kinds are listed.
    assert!(out.contains("# The public website. Multi-line descriptions become one comment line."));
    let h = header(&out);
    assert!(h.contains("1 API, 1 Group, 1 Location"), "{h}");
    assert!(h.contains("production -> criticality high"), "{h}");
    assert!(h.contains("PLACEHOLDER"), "{h}");
}

#[test]
fn backstage_name_clashes_across_kinds_get_kind_prefixes() {
    let text = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orders}
spec: {dependsOn: ['resource:orders']}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: orders}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: 'orders v2!'}
spec: {dependsOn: ['component:orders', 'resource:weird name/x y']}
";
    let out = import::backstage("c.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let t = load(&out);
    assert_eq!(
        ids(&t),
        sorted(&["component-orders", "resource-orders", "orders-v2", "x-y"])
    );
    assert_eq!(svc(&t, "orders-v2").name, "orders v2!");
    assert_eq!(requires(&t, "component-orders"), ["resource-orders"]);
    assert_eq!(requires(&t, "orders-v2"), ["component-orders", "x-y"]);
    assert_eq!(svc(&t, "x-y").name, "resource:weird name/x y");
    // Several files at once, no System: the topology is named after the file.
    assert_eq!(t.name, "c");
}

#[test]
fn backstage_dependency_cycles_load() {
    let text = "\
kind: Component
metadata: {name: a}
spec: {dependsOn: [component:b]}
---
kind: Component
metadata: {name: b}
spec: {dependsOn: [component:a]}
";
    let t = load(&import::backstage("c.yaml", text).unwrap());
    assert_eq!(requires(&t, "a"), ["b"]);
    assert_eq!(requires(&t, "b"), ["a"]);
}

#[test]
fn backstage_errors_are_located_with_help() {
    // YAML syntax.
    let d = backstage_err("kind: Component\nmetadata:\n  name: [a\n");
    assert!(d.0[0].line >= 3, "{d}");
    assert!(d.0[0].help.is_some());
    assert!(!d.0[0].message.contains(" at line "), "{d}");

    // No metadata.name: points at the kind.
    let d = backstage_err("kind: Component\nmetadata:\n  title: x\n");
    assert_eq!((d.0[0].line, d.0[0].column), (1, 7), "{d}");
    assert!(d.0[0].message.contains("metadata.name"), "{d}");

    // Defined twice (names compare ignoring case), and an ambiguous
    // reference: every problem in one pass.
    let d = backstage_err(
        "kind: Component\nmetadata: {name: x}\n---\nkind: Component\nmetadata: {name: X}\n---\nkind: Resource\nmetadata: {name: x}\n---\nkind: Component\nmetadata: {name: y}\nspec:\n  dependsOn: [x, 'component:']\n",
    );
    let messages: Vec<&str> = d.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(d.0.len(), 3, "{d}");
    assert!(messages[0].contains("defined twice"), "{d}");
    assert_eq!((d.0[0].line, d.0[0].column), (5, 18));
    assert!(messages[1].contains("could be any of"), "{d}");
    assert_eq!((d.0[1].line, d.0[1].column), (13, 15));
    assert!(
        d.0[1]
            .help
            .as_deref()
            .unwrap()
            .contains("component:default/x")
    );
    assert!(messages[2].contains("invalid entity reference"), "{d}");

    // Nothing importable.
    let d = backstage_err("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: a}\n");
    assert!(d.0[0].message.contains("only 1 API"), "{d}");
    let d = backstage_err("");
    assert!(d.0[0].message.contains("no entities"), "{d}");
}

#[test]
fn non_backstage_documents_are_skipped() {
    let text = "\
apiVersion: v1
kind: Service
metadata: {name: k8s-thing}
---
apiVersion: backstage.io/v1alpha1
kind: component
metadata: {name: web}
";
    let out = import::backstage("mixed.yaml", text).unwrap();
    let t = load(&out);
    assert_eq!(ids(&t), sorted(&["web"]));
    assert!(
        header(&out).contains("1 non-Backstage (v1)"),
        "{}",
        header(&out)
    );
}

#[test]
fn format_dispatch_matches_the_direct_functions() {
    let text = fixture("services.dot");
    assert_eq!(
        import::import(Format::Dot, "s.dot", &text).unwrap(),
        import::dot("s.dot", &text).unwrap()
    );
    assert_eq!("backstage".parse::<Format>(), Ok(Format::Backstage));
}
#[test]
fn byte_order_marks_and_deep_nesting() {
    let t = load(&import::dot("b.dot", "\u{FEFF}digraph { a -> b }").unwrap());
    assert_eq!(requires(&t, "a"), ["b"]);
    let t = load(
        &import::backstage("b.yaml", "\u{FEFF}kind: Component\nmetadata: {name: a}\n").unwrap(),
    );
    assert_eq!(ids(&t), ["a"]);
    let e = backstage_err("\u{FEFF}kind: Component\nmetadata:\n  name: [a\n");
    assert_eq!((e.0[0].line, e.0[0].column), (3, 9), "{e}");
    // Refused with a located error, not a stack overflow.
    let deep = format!(
        "kind: Component\nmetadata: {{name: a}}\nspec: {{x: {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(import::backstage("d.yaml", &deep).is_err());
    let deep = format!("digraph {{ {} }}", "subgraph { ".repeat(100_000));
    assert!(import::dot("d.dot", &deep).is_err());
}

// --- shapes that must stay linear ---------------------------------------------

#[test]
fn dot_hub_with_a_hundred_thousand_edges_keeps_each_once() {
    let n = 100_000;
    let mut text = String::from("digraph g { hub -> {");
    for i in 0..n {
        text.push_str(&format!(" n{i}"));
    }
    // Repeats are merged, not scanned for.
    text.push_str(" }; hub -> n7; hub -> n99999 }\n");
    let out = import::dot("hub.dot", &text).unwrap();
    let t = load(&out);
    assert_eq!(requires(&t, "hub").len(), n);
}

#[test]
fn dot_names_that_sanitize_alike_get_unique_ids_without_counting_up_each_time() {
    let n = 20_000;
    let mut text = String::from("digraph g {\n");
    for i in 0..n {
        // "x!", "x!!", ... all sanitize to `x`.
        text.push_str(&format!(
            "\"x{}\" -> hub;\n",
            "!".repeat(i % 40 + 1) + &" ".repeat(i / 40 + 1)
        ));
    }
    text.push_str("}\n");
    let t = load(&import::dot("alike.dot", &text).unwrap());
    let ids = ids(&t);
    assert_eq!(ids.len(), n + 1);
    assert!(
        ids.contains(&"x") && ids.contains(&format!("x-{n}").as_str()),
        "suffixes run up to {n}"
    );
}

#[test]
fn backstage_depends_on_thirty_thousand_unknown_targets() {
    let n = 30_000;
    let mut text = String::from(
        "kind: Component\nmetadata:\n  name: hub\nspec:\n  type: service\n  dependsOn:\n",
    );
    for i in 0..n {
        text.push_str(&format!("    - component:missing{i}\n"));
    }
    text.push_str("    - component:missing7\n    - missing8\n");
    let out = import::backstage("c.yaml", &text).unwrap();
    assert_eq!(
        out.matches("# PLACEHOLDER: ").count(),
        n,
        "one placeholder per target"
    );
    assert_eq!(requires(&load(&out), "hub").len(), n);
}

#[test]
fn backstage_entities_of_one_name_in_thirty_thousand_namespaces() {
    let n = 30_000;
    let text: String = (0..n)
        .map(|i| format!("---\nkind: Component\nmetadata: {{name: same, namespace: ns{i}}}\n"))
        .collect();
    let out = import::backstage("c.yaml", &text).unwrap();
    assert_eq!(out.matches("\n[services.").count(), n);
    assert!(
        out.contains("[services.\"ns29999.same\"]"),
        "qualified by namespace"
    );
}

#[test]
fn a_catalog_of_more_than_a_hundred_thousand_entities_imports() {
    let n = 100_001;
    let text: String = (0..n)
        .map(|i| format!("---\nkind: Component\nmetadata: {{name: c{i}}}\n"))
        .collect();
    let out = import::backstage("big.yaml", &text).unwrap();
    assert_eq!(out.matches("\n[services.").count(), n);
}

#[test]
fn yaml_errors_are_in_plain_words() {
    let e = backstage_err("kind: Component\nmetadata: {name: a}\nkind: System\n");
    let shown = e.to_string();
    assert!(
        shown.contains("the key `kind` appears twice in one mapping"),
        "{shown}"
    );
    assert!(!shown.contains("DuplicateKeyPolicy"), "{shown}");
    assert_eq!(e.0[0].line, 3, "{shown}");
    // An alias bomb: a few lines that expand to billions of nodes.
    let mut bomb = String::from(
        "kind: Component\nmetadata: {name: a}\nspec:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let prev = format!("*l{}", i - 1);
        bomb.push_str(&format!(
            "  l{i}: &l{i} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    let shown = backstage_err(&bomb).to_string();
    assert!(
        !shown.contains("budget") && !shown.contains("Budget"),
        "{shown}"
    );
    assert!(shown.contains("alias"), "{shown}");
}

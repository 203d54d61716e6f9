//! `terraform graph` output to a [`Draft`]: resources and data sources
//! become services, terraform's own nodes are dropped and the dependencies
//! that ran through them carried over.

use super::{EDGE_RULE, Graph, add_edges, count_dependencies, count_services};
use crate::import::{Draft, DraftService, IdAllocator, plural, stem};
use std::collections::HashMap;

/// What a `terraform graph` node is, once `[root] ` and its ` (...)` suffix
/// are off.
enum TfNode {
    /// A resource or data source: (address, resource type).
    Resource(String, String),
    /// Terraform's own bookkeeping.
    Internal,
}

fn classify(id: &str) -> TfNode {
    let id = id.strip_prefix("[root] ").unwrap_or(id);
    let (address, suffix) = match id.rfind(" (") {
        Some(i) if id.ends_with(')') => (&id[..i], Some(&id[i + 2..id.len() - 1])),
        _ => (id, None),
    };
    if suffix == Some("close") || address == "root" {
        return TfNode::Internal;
    }
    // The address inside its modules: module.a.module.b.aws_x.y -> aws_x.y
    let mut rest = address;
    while let Some(r) = rest.strip_prefix("module.") {
        match r.find('.') {
            Some(dot) => rest = &r[dot + 1..],
            None => return TfNode::Internal, // the module itself
        }
    }
    let internal = [
        "var.",
        "local.",
        "output.",
        "meta.",
        "provider[",
        "provider.",
        "provisioner[",
    ];
    if rest.is_empty() || internal.iter().any(|p| rest.starts_with(p)) {
        return TfNode::Internal;
    }
    let rtype = rest.strip_prefix("data.").unwrap_or(rest);
    let rtype = rtype.split(['.', '[']).next().unwrap_or(rtype);
    TfNode::Resource(address.to_string(), rtype.to_string())
}

/// `terraform graph` output: resources and data sources become services;
/// terraform's internal nodes are dropped, their dependencies carried over.
pub(super) fn from_terraform(name: &str, g: &Graph) -> Draft {
    // Node index -> service index (None: internal).
    let mut service_of: Vec<Option<usize>> = Vec::with_capacity(g.nodes.len());
    let mut by_address: HashMap<String, usize> = HashMap::new();
    let mut addresses: Vec<(String, String)> = Vec::new();
    let mut internal = 0;
    for n in &g.nodes {
        match classify(&n.id) {
            TfNode::Internal => {
                internal += 1;
                service_of.push(None);
            }
            TfNode::Resource(address, rtype) => {
                let s = *by_address.entry(address.clone()).or_insert_with(|| {
                    addresses.push((address, rtype));
                    addresses.len() - 1
                });
                service_of.push(Some(s));
            }
        }
    }
    let mut ids = IdAllocator::default();
    for (address, _) in &addresses {
        ids.reserve(address);
    }
    let mut renamed = 0;
    let mut services: Vec<DraftService> = addresses
        .iter()
        .map(|(address, rtype)| {
            let id = ids.allocate(address);
            if id != *address {
                renamed += 1;
            }
            DraftService {
                name: (id != *address).then(|| address.clone()),
                id,
                kind: Some(rtype.clone()),
                ..DraftService::default()
            }
        })
        .collect();
    // Dependencies through internal nodes: from each service, follow edges
    // through internal nodes to the first services reached.
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for &(a, b) in &g.edges {
        out_edges[a].push(b);
    }
    let mut pairs = Vec::new();
    // `seen[n] == start + 1`: node n was reached from `start` (one array
    // for all searches, not one per service: graphs of thousands of
    // resources are common).
    let mut seen = vec![0usize; g.nodes.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (start, s) in service_of.iter().enumerate() {
        let Some(s) = *s else { continue };
        stack.clear();
        stack.extend(&out_edges[start]);
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], start + 1) == start + 1 {
                continue;
            }
            match service_of[n] {
                Some(t) => pairs.push((s, t)),
                None => stack.extend(out_edges[n].iter().copied()),
            }
        }
    }
    // Deterministic order: by source, then target, as first met in the file.
    pairs.sort_unstable();
    pairs.dedup();
    // Merged variants of one resource (expand/destroy) are not a real loop.
    pairs.retain(|(a, b)| a != b);
    add_edges(&mut services, pairs.into_iter());
    let mut imported = vec![
        format!(
            "Imported by `blastradius import dot` from {name} (`terraform graph` output): {} from its resources and data sources, {} from its edges.",
            count_services(&services),
            count_dependencies(&services),
        ),
        EDGE_RULE.to_string(),
        format!(
            "Terraform's internal nodes ({internal} here: root, var.*, local.*, output.*, provider[...], meta.*, module and (close) nodes) are not services and were dropped; a dependency that ran through one was carried over (a -> local.x -> b became a requires b). The (expand)/(destroy) variants of one resource became one service; `kind` is the resource type."
        ),
        "Terraform's dependencies are the order it creates things in, not always what needs what at run time: review them.".to_string(),
    ];
    if renamed > 0 {
        imported.push(format!(
            "{} not valid topology ids ([a-zA-Z0-9._-]+) were made valid (other characters become `-`, clashes get -2, -3...); the address is kept as `name`.",
            plural(renamed, "address was", "addresses were")
        ));
    }
    Draft {
        topology_name: stem(name),
        description: format!("Imported from {name} (terraform graph)"),
        imported,
        services,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_terraform_nodes() {
        let r = |s: &str| match classify(s) {
            TfNode::Resource(a, t) => Some((a, t)),
            TfNode::Internal => None,
        };
        assert_eq!(
            r("[root] aws_instance.web (expand)"),
            Some(("aws_instance.web".into(), "aws_instance".into()))
        );
        assert_eq!(
            r("[root] module.vpc.aws_subnet.a[\"x\"]"),
            Some(("module.vpc.aws_subnet.a[\"x\"]".into(), "aws_subnet".into()))
        );
        assert_eq!(
            r("[root] data.aws_ami.ubuntu (expand)"),
            Some(("data.aws_ami.ubuntu".into(), "aws_ami".into()))
        );
        for internal in [
            "[root] root",
            "[root] var.region",
            "[root] module.vpc.local.x (expand)",
            "[root] provider[\"registry.terraform.io/hashicorp/aws\"]",
            "[root] provider[\"registry.terraform.io/hashicorp/aws\"] (close)",
            "[root] meta.count-boundary (EachMode fixup)",
            "[root] module.vpc (close)",
            "[root] module.vpc (expand)",
            "[root] output.ip (expand)",
            "[root] aws_instance.web (close)",
        ] {
            assert!(r(internal).is_none(), "{internal}");
        }
    }
}

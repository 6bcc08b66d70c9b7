//! Typed ids of the linked model's objects: each names one object of one table of
//! [`super::Model`], so a ServiceAccount's position can never index the workloads by mistake.
//! Only the link stage turns an id into a position; everyone else asks [`super::Linked`] for the
//! object (`linked.policy(id)`).

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            /// The id of the object at `index` in its table.
            pub(in crate::link) fn at(index: usize) -> $name {
                $name(u32::try_from(index).expect("fewer than 2^32 objects of one kind"))
            }

            /// The object's position in its table.
            pub(in crate::link) fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A trust policy (the role it belongs to): a position in `Model::policies`.
    PolicyId
);

id!(
    /// A ServiceAccount: a position in `Model::service_accounts`.
    SaId
);

id!(
    /// A workload: a position in `Model::workloads`.
    WorkloadId
);

id!(
    /// An EKS Pod Identity association: a position in `Model::pod_identity.associations`.
    AssociationId
);

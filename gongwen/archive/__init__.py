"""Archive-grade output: PDF/A and its metadata, manifests, the register of issued numbers."""

"""Page layout decided once for both writers.

spec: the typed schema of styles/layout.yaml (load_layout); columns: table
sizes and column widths; model: the decisions for one notice
(layout_notice -> PageModel). Layer rule: gongwen.notice never imports
this package; this package may import gongwen.notice; writers import both."""

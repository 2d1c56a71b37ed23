"""SOP knowledge base: validate Markdown SOPs and build them into an MkDocs site.

Layers (see DESIGN.md): ``model`` loads and validates the authored inputs into a
:class:`~sop_plugin.model.Catalog` with no MkDocs import; ``history`` reads git;
``pages`` turns a catalog into generated pages; ``plugin`` is the thin MkDocs adapter.
"""

__version__ = "0.1.0"

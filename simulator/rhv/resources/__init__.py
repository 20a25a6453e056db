"""The engine's REST resources: one registry (`registry.py`) and one module per collection, each
registering its resources and collections in `catalog.py`. Everything here speaks `Obj` trees and
model operations; HTTP is rest.py's."""

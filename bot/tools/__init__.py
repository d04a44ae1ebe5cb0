"""Tools that generate bot data from other parts of plainrecord (run by hand, output committed)."""

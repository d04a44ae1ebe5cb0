"""Maintenance scripts for the glossary's bundled data."""

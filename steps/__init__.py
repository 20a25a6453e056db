"""pytest-bdd step definitions for the features in ../features, grouped by domain."""

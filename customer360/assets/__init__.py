"""Software-defined assets, one module per layer: landing, bronze, dbt (silver + gold)."""

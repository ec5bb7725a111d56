"""Import bundles: the spreadsheet exchange format (../shared/spec/import-bundle.md)."""

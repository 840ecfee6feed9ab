// Placeholder until the configuration module lands; delete when real files exist.

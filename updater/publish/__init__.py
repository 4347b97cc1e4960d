"""Publisher tools: keygen, sign, verify, serve (loopback dev server) and the demo."""

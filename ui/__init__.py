"""The command line, the web app and the HTTP API: the top layer."""

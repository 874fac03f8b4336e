"""The web application: server-rendered pages on the same services as the API."""

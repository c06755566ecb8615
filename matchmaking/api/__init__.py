"""REST API v1: thin serializers and viewsets over the same services and scoping as the web pages."""

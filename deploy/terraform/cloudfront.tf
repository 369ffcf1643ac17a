# Optional CDN in front of the load balancer. CloudFront forwards only the headers a policy
# names, and it never forwards Authorization to a custom origin unless told: web clients use
# X-Auth-Token (API.md), which is named here with Origin (CORS) and the WebSocket handshake
# headers. Nothing is cached: every path is the API or the WebSocket.

resource "aws_cloudfront_origin_request_policy" "gateway" {
  count = var.enable_cloudfront ? 1 : 0
  name  = "${var.name}-gateway"
  headers_config {
    header_behavior = "whitelist"
    headers {
      items = ["X-Auth-Token", "Origin", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
      "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "X-Request-Id"]
    }
  }
  query_strings_config {
    query_string_behavior = "all" # since_seq, access_token, room_id, paging
  }
  cookies_config {
    cookie_behavior = "none"
  }
}

resource "aws_cloudfront_distribution" "gateway" {
  count   = var.enable_cloudfront ? 1 : 0
  enabled = true
  comment = "${var.name} gateway"
  origin {
    origin_id   = "gateway"
    domain_name = aws_lb.gateway.dns_name
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = var.certificate_arn == "" ? "http-only" : "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      origin_read_timeout    = 60
    }
  }
  default_cache_behavior {
    target_origin_id         = "gateway"
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
    origin_request_policy_id = aws_cloudfront_origin_request_policy.gateway[0].id
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
  tags = var.tags
}

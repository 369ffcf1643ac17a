# The gateway's load balancer. WebSockets need no special listener: ALB upgrades them on HTTP(S).

resource "aws_lb" "gateway" {
  name               = "${var.name}-gateway"
  load_balancer_type = "application"
  internal           = false
  subnets            = var.public_subnet_ids
  security_groups    = [aws_security_group.alb.id]
  # Longer than the gateway's WebSocket idle limit (CHATTER_WS_IDLE_TIMEOUT_MS 60 s: it closes a
  # silent session first) and shorter than its HTTP keep-alive (CHATTER_HTTP_IDLE_TIMEOUT_MS
  # 130 s), so the balancer never reuses a connection the gateway just closed.
  idle_timeout = 120
  tags         = var.tags
}

resource "aws_lb_target_group" "gateway" {
  name        = "${var.name}-gateway"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  # Matched to the drain: a deregistered gateway gets no new connections at once, its open
  # WebSockets keep going for these 15 s, and then ECS sends SIGTERM, on which the gateway
  # closes every session with 1012 (clients resume elsewhere with since_seq) within its
  # CHATTER_SHUTDOWN_GRACE_MS (10 s) and the task's stopTimeout (30 s).
  deregistration_delay = 15
  health_check {
    path                = "/healthz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count             = var.certificate_arn == "" ? 0 : 1
  load_balancer_arn = aws_lb.gateway.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

# Plain HTTP redirects to HTTPS when there is a certificate; without one it serves (tests only).
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.gateway.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = var.certificate_arn == "" ? "forward" : "redirect"
    target_group_arn = var.certificate_arn == "" ? aws_lb_target_group.gateway.arn : null
    dynamic "redirect" {
      for_each = var.certificate_arn == "" ? [] : [1]
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

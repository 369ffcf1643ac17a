# Only the load balancer is public; each process accepts exactly its callers.

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "ChatterStack load balancer: HTTPS (and HTTP) from anywhere"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each          = toset(var.certificate_arn == "" ? ["80"] : ["80", "443"])
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
}

resource "aws_vpc_security_group_egress_rule" "alb_to_gateway" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.process["gateway"].id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_security_group" "process" {
  for_each    = toset(local.processes)
  name        = "${var.name}-${each.key}"
  description = "ChatterStack ${each.key} tasks"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

# Tasks reach ECR, Secrets Manager, CloudWatch, the databases and each other.
resource "aws_vpc_security_group_egress_rule" "process" {
  for_each          = toset(local.processes)
  security_group_id = aws_security_group.process[each.key].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_vpc_security_group_ingress_rule" "gateway_from_alb" {
  security_group_id            = aws_security_group.process["gateway"].id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_ingress_rule" "grpc" {
  for_each = merge([
    for service, callers in local.grpc_callers : {
      for caller in callers : "${service}<-${caller}" => { service = service, caller = caller }
    }
  ]...)
  security_group_id            = aws_security_group.process[each.value.service].id
  referenced_security_group_id = aws_security_group.process[each.value.caller].id
  ip_protocol                  = "tcp"
  from_port                    = local.grpc_port[each.value.service]
  to_port                      = local.grpc_port[each.value.service]
}

resource "aws_vpc_security_group_ingress_rule" "database" {
  for_each                     = toset(["auth-svc", "chat-svc"])
  security_group_id            = var.database_security_group_id
  referenced_security_group_id = aws_security_group.process[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each                     = toset(["chat-svc", "realtime-svc", "gateway"])
  security_group_id            = var.redis_security_group_id
  referenced_security_group_id = aws_security_group.process[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

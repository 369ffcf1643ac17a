# ChatterStack on ECS Fargate: one service per process, the gateway behind an ALB, the gRPC
# services found through Cloud Map, settings from deploy/ecs/*.task.json.

data "aws_region" "current" {}

data "aws_subnet" "public" {
  for_each = toset(var.public_subnet_ids)
  id       = each.value
}

locals {
  processes = ["auth-svc", "chat-svc", "realtime-svc", "gateway"]
  services  = ["auth-svc", "chat-svc", "realtime-svc"]
  namespace = "${var.name}.internal"
  grpc_port = { "auth-svc" = 50051, "chat-svc" = 50052, "realtime-svc" = 50053 }
  # Who calls whose gRPC port (the security groups let exactly these in).
  grpc_callers = {
    "auth-svc"     = ["chat-svc", "realtime-svc", "gateway"]
    "chat-svc"     = ["realtime-svc", "gateway"]
    "realtime-svc" = ["chat-svc", "gateway"]
  }

  # The task definitions of deploy/ecs/ are the one list of each process's settings: this module
  # takes their environment, secret names, ports, health check, user, limits and stop timeout,
  # and replaces only what it creates itself (image, roles, secret ARNs, log group) and the
  # values that depend on this deployment below. So the two cannot drift apart, and
  # tests/deploy/settings_test.py checks those files against the binaries.
  task      = { for p in local.processes : p => jsondecode(file("${path.module}/../ecs/${p}.task.json")) }
  container = { for p in local.processes : p => local.task[p].containerDefinitions[0] }
  deployment_values = {
    "auth-svc" = {}
    "chat-svc" = {
      CHATTER_AUTH_ADDR     = "auth-svc.${local.namespace}:50051"
      CHATTER_REALTIME_ADDR = "dns:///realtime-svc.${local.namespace}:50053"
    }
    "realtime-svc" = {
      CHATTER_AUTH_ADDR = "auth-svc.${local.namespace}:50051"
      CHATTER_CHAT_ADDR = "chat-svc.${local.namespace}:50052"
    }
    "gateway" = {
      CHATTER_AUTH_ADDR       = "auth-svc.${local.namespace}:50051"
      CHATTER_CHAT_ADDR       = "chat-svc.${local.namespace}:50052"
      CHATTER_REALTIME_ADDR   = "dns:///realtime-svc.${local.namespace}:50053"
      CHATTER_CORS_ORIGINS    = var.cors_origins
      CHATTER_TRUSTED_PROXIES = join(",", [for s in data.aws_subnet.public : s.cidr_block])
    }
  }
  # deployment_values only replaces settings the task definition has (checked on every plan by
  # the task definitions' precondition, and by tests/deploy/settings_test.py).
  environment = {
    for p in local.processes : p => merge(
      { for e in local.container[p].environment : e.name => e.value },
      local.deployment_values[p],
    )
  }
  # One Secrets Manager secret per secret setting of each process, e.g. chatterstack/gateway/redis-url.
  secret_settings = merge([
    for p in local.processes : {
      for s in local.container[p].secrets : "${p}/${s.name}" => {
        process = p
        setting = s.name
        name    = "${var.name}/${p}/${lower(replace(trimprefix(s.name, "CHATTER_"), "_", "-"))}"
      }
    }
  ]...)
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled" # RunningTaskCount, used by the gateway's connection scaling
  }
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "process" {
  for_each          = toset(local.processes)
  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# Secrets are created empty: put their values with `aws secretsmanager put-secret-value`
# (deploy/README.md, step 2), so no password or key ever sits in Terraform state.
resource "aws_secretsmanager_secret" "setting" {
  for_each                = local.secret_settings
  name                    = each.value.name
  recovery_window_in_days = 7
  tags                    = var.tags
}

# ---- service discovery: <service>.<name>.internal resolves to the tasks' IPs ----

resource "aws_service_discovery_private_dns_namespace" "this" {
  name = local.namespace
  vpc  = var.vpc_id
  tags = var.tags
}

resource "aws_service_discovery_service" "process" {
  for_each = toset(local.services)
  name     = each.key
  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE" # every task's address: gRPC clients balance over them
    dns_records {
      type = "A"
      ttl  = 10
    }
  }
  health_check_custom_config {
    failure_threshold = 1
  }
  tags = var.tags
}

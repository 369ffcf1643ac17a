resource "aws_ecs_task_definition" "process" {
  for_each                 = toset(local.processes)
  family                   = "${var.name}-${each.key}"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = local.task[each.key].cpu
  memory                   = local.task[each.key].memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([merge(local.container[each.key], {
    image       = var.image
    environment = [for k in sort(keys(local.environment[each.key])) : { name = k, value = local.environment[each.key][k] }]
    secrets = [for s in local.container[each.key].secrets : {
      name      = s.name
      valueFrom = aws_secretsmanager_secret.setting["${each.key}/${s.name}"].arn
    }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.process[each.key].name
        "awslogs-region"        = data.aws_region.current.name
        "awslogs-stream-prefix" = each.key
      }
    }
  })])
  tags = var.tags
  lifecycle {
    precondition {
      condition = alltrue([
        for k in keys(local.deployment_values[each.key]) :
        contains([for e in local.container[each.key].environment : e.name], k)
      ])
      error_message = "A value set in main.tf's deployment_values is not a setting of deploy/ecs/${each.key}.task.json."
    }
  }
}

resource "aws_ecs_service" "process" {
  for_each        = toset(local.processes)
  name            = each.key
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.process[each.key].arn
  desired_count   = var.desired_count[each.key]
  launch_type     = "FARGATE"
  # New tasks are healthy before old ones stop; a deployment that never gets healthy rolls back.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.process[each.key].id]
    assign_public_ip = false
  }
  dynamic "service_registries" {
    for_each = contains(local.services, each.key) ? [1] : []
    content {
      registry_arn = aws_service_discovery_service.process[each.key].arn
    }
  }
  dynamic "load_balancer" {
    for_each = each.key == "gateway" ? [1] : []
    content {
      target_group_arn = aws_lb_target_group.gateway.arn
      container_name   = "gateway"
      container_port   = 8080
    }
  }
  health_check_grace_period_seconds = each.key == "gateway" ? 30 : null
  lifecycle {
    ignore_changes = [desired_count] # autoscaling owns it after the first apply
  }
  tags = var.tags
}

# ---- autoscaling: CPU for every process, and open connections for the gateway ----

resource "aws_appautoscaling_target" "process" {
  for_each           = toset(local.processes)
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.process[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_count[each.key]
  max_capacity       = var.max_count[each.key]
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each           = toset(local.processes)
  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.process[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.process[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.process[each.key].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = var.cpu_target_percent
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
    scale_in_cooldown  = 300 # a gateway that scales in closes WebSockets (1012): not in a hurry
    scale_out_cooldown = 60
  }
}

# WebSockets cost memory and file descriptors more than CPU: scale the gateway on the load
# balancer's open connections per running task as well.
resource "aws_appautoscaling_policy" "gateway_connections" {
  name               = "${var.name}-gateway-connections"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.process["gateway"].service_namespace
  resource_id        = aws_appautoscaling_target.process["gateway"].resource_id
  scalable_dimension = aws_appautoscaling_target.process["gateway"].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = var.gateway_connections_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    customized_metric_specification {
      metrics {
        id          = "connections"
        return_data = false
        metric_stat {
          stat = "Sum"
          metric {
            namespace   = "AWS/ApplicationELB"
            metric_name = "ActiveConnectionCount"
            dimensions {
              name  = "LoadBalancer"
              value = aws_lb.gateway.arn_suffix
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.process["gateway"].name
            }
          }
        }
      }
      metrics {
        id          = "per_task"
        label       = "open connections per gateway task"
        expression  = "connections / tasks"
        return_data = true
      }
    }
  }
}

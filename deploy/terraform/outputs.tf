output "gateway_url" {
  description = "Where web clients reach the gateway (CloudFront when enabled, else the load balancer)."
  value = var.enable_cloudfront ? "https://${aws_cloudfront_distribution.gateway[0].domain_name}" : (
  "${var.certificate_arn == "" ? "http" : "https"}://${aws_lb.gateway.dns_name}")
}

output "cluster_name" {
  value = aws_ecs_cluster.this.name
}

output "secret_arns" {
  description = "Secrets to fill with `aws secretsmanager put-secret-value` before the tasks can start, by <process>/<setting>."
  value       = { for key, secret in aws_secretsmanager_secret.setting : key => secret.arn }
}

output "task_security_group_ids" {
  description = "Security groups of each process's tasks."
  value       = { for p, sg in aws_security_group.process : p => sg.id }
}

variable "name" {
  description = "Prefix of every resource name (cluster, services, secrets, log groups)."
  type        = string
  default     = "chatterstack"
}

variable "vpc_id" {
  description = "The VPC the stack runs in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks (no public IPs); they need a route to ECR, Secrets Manager and CloudWatch (NAT or VPC endpoints)."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Subnets of the internet-facing load balancer."
  type        = list(string)
}

variable "image" {
  description = "The image of deploy/docker/Dockerfile, e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com/chatterstack:<git sha>."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener; empty: plain HTTP on port 80 (tests only)."
  type        = string
  default     = ""
}

variable "cors_origins" {
  description = "CHATTER_CORS_ORIGINS of the gateway: the web origins allowed to call the API."
  type        = string
}

variable "desired_count" {
  description = "Tasks per process at start; autoscaling moves them between min_count and max_count."
  type        = map(number)
  default     = { "auth-svc" = 2, "chat-svc" = 2, "realtime-svc" = 2, "gateway" = 2 }
}

variable "min_count" {
  type    = map(number)
  default = { "auth-svc" = 2, "chat-svc" = 2, "realtime-svc" = 2, "gateway" = 2 }
}

variable "max_count" {
  type    = map(number)
  default = { "auth-svc" = 6, "chat-svc" = 8, "realtime-svc" = 6, "gateway" = 10 }
}

variable "cpu_target_percent" {
  description = "Target average CPU of each service's tasks."
  type        = number
  default     = 60
}

variable "gateway_connections_per_task" {
  description = "Target of open load-balancer connections (WebSockets, mostly) per gateway task."
  type        = number
  default     = 20000
}

variable "database_security_group_id" {
  description = "Security group of the PostgreSQL instance(s); this module lets auth-svc and chat-svc in on 5432."
  type        = string
}

variable "redis_security_group_id" {
  description = "Security group of Redis (ElastiCache); this module lets chat-svc, realtime-svc and the gateway in on 6379."
  type        = string
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "enable_cloudfront" {
  description = "Put CloudFront in front of the load balancer (it then forwards X-Auth-Token, Origin and WebSocket upgrades)."
  type        = bool
  default     = false
}

variable "tags" {
  type    = map(string)
  default = {}
}

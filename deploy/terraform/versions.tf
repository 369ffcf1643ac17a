terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40" # metric math in target tracking (customized_metric_specification.metrics)
    }
  }
}

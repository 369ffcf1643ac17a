# How a platform team applies the module: their VPC, subnets, database and Redis security
# groups, and the image they pushed (deploy/README.md, "Terraform").
terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region = "eu-west-1"
}

module "chatterstack" {
  source = "../"

  vpc_id                     = "vpc-0123456789abcdef0"
  private_subnet_ids         = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  public_subnet_ids          = ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"]
  database_security_group_id = "sg-0eeeeeeeeeeeeeeee"
  redis_security_group_id    = "sg-0ffffffffffffffff"
  image                      = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/chatterstack:0123abc"
  certificate_arn            = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
  cors_origins               = "https://app.example.com"
  enable_cloudfront          = true
}

output "gateway_url" {
  value = module.chatterstack.gateway_url
}

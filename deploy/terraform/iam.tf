# Least privilege: each process's execution role reads only its own secrets; task roles grant
# nothing (the processes call no AWS API).

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  for_each           = toset(local.processes)
  name               = "${var.name}-ecs-execution-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  for_each   = toset(local.processes)
  role       = aws_iam_role.execution[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" # ECR pull, logs
}

data "aws_iam_policy_document" "read_own_secrets" {
  for_each = toset(local.processes)
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for key, s in local.secret_settings : aws_secretsmanager_secret.setting[key].arn if s.process == each.key]
  }
}

resource "aws_iam_role_policy" "read_own_secrets" {
  for_each = toset(local.processes)
  name     = "read-own-secrets"
  role     = aws_iam_role.execution[each.key].id
  policy   = data.aws_iam_policy_document.read_own_secrets[each.key].json
}

resource "aws_iam_role" "task" {
  for_each           = toset(local.processes)
  name               = "${var.name}-task-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

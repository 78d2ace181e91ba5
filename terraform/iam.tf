# The role Snowflake's storage integration assumes. Trust: only Snowflake's IAM user for this account, and only
# with the integration's external ID (the confused-deputy guard). Permissions: read the four stage prefixes, list
# the bucket under them, nothing else.

locals {
  # Before the integration exists (first apply), trust this account only; the second apply swaps in Snowflake.
  trusted_principal = var.snowflake_iam_user_arn != "" ? var.snowflake_iam_user_arn : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  stage_prefixes    = ["staging/", "transactions/historical/", "transactions/streaming/", "reports/"]
}

data "aws_iam_policy_document" "snowflake_trust" {
  statement {
    sid     = "SnowflakeStorageIntegration"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [local.trusted_principal]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.snowflake_external_id]
    }
  }
}

resource "aws_iam_role" "snowflake_stage" {
  name                 = var.role_name
  description          = "Assumed by the Customer 360 Snowflake storage integration to read landing files"
  assume_role_policy   = data.aws_iam_policy_document.snowflake_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "snowflake_read" {
  statement {
    sid       = "ReadStagePrefixes"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [for prefix in local.stage_prefixes : "${aws_s3_bucket.landing.arn}/${prefix}*"]
  }
  statement {
    sid       = "ListStagePrefixes"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.landing.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = flatten([for prefix in local.stage_prefixes : [prefix, "${prefix}*"]])
    }
  }
  statement {
    sid       = "DecryptLandingObjects"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.landing.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "snowflake_read" {
  name   = "customer360-stage-read"
  role   = aws_iam_role.snowflake_stage.id
  policy = data.aws_iam_policy_document.snowflake_read.json
}

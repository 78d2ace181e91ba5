# The landing bucket: staging/<schema>/<table>/ (replicated source batches), transactions/historical/,
# transactions/streaming/<date>/, and replication_state/ (replication cursors; never expired).
# Encrypted with a customer-managed KMS key, versioned, never public, TLS only, access-logged.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_kms_key" "landing" {
  description             = "Customer 360 landing bucket encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

# An alias takes letters, digits, "/", "_" and "-": a bucket name may also hold dots.
resource "aws_kms_alias" "landing" {
  name          = "alias/${replace(var.bucket_name, ".", "-")}"
  target_key_id = aws_kms_key.landing.key_id
}

# The account administers the key; the Snowflake role may decrypt (read stages) through S3 only.
data "aws_iam_policy_document" "kms" {
  # A key policy's "*" resource means this key only; the root statement is AWS's default key policy, which hands
  # key administration to the account's IAM policies.
  #checkov:skip=CKV_AWS_111:Key policy: resource "*" is the key itself (AWS default key policy).
  #checkov:skip=CKV_AWS_356:Key policy: resource "*" is the key itself (AWS default key policy).
  #checkov:skip=CKV_AWS_109:Key policy: resource "*" is the key itself (AWS default key policy).
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_s3_bucket" "landing" {
  bucket = var.bucket_name
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice per deployment; the landing zone is re-creatable from the sources.
  #checkov:skip=CKV2_AWS_62:Event notifications are not used: the Dagster sensor lists new streaming files.
}

resource "aws_s3_bucket_versioning" "landing" {
  bucket = aws_s3_bucket.landing.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.landing.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "landing" {
  bucket                  = aws_s3_bucket.landing.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "landing" {
  bucket = aws_s3_bucket.landing.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Deny every request that does not use TLS (aws:SecureTransport false), for every principal, on both buckets.
data "aws_iam_policy_document" "tls_only" {
  for_each = {
    landing     = aws_s3_bucket.landing.arn
    access_logs = aws_s3_bucket.access_logs.arn
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "landing" {
  bucket     = aws_s3_bucket.landing.id
  policy     = data.aws_iam_policy_document.tls_only["landing"].json
  depends_on = [aws_s3_bucket_public_access_block.landing]
}

resource "aws_s3_bucket_lifecycle_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id

  rule {
    id     = "expire-streaming-days"
    status = "Enabled"
    filter {
      prefix = "transactions/streaming/"
    }
    expiration {
      days = var.streaming_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
  }

  rule {
    id     = "expire-staging"
    status = "Enabled"
    # Only files bronze holds in full: the loader tags them (C360_STAGING_CLEANUP=keep). A failed, partly loaded or
    # not yet loaded file (an outage longer than the retention) stays; the cursor has already moved past its rows.
    filter {
      and {
        prefix = "staging/"
        tags = {
          "c360-loaded" = "true"
        }
      }
    }
    expiration {
      days = var.staging_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  rule {
    id     = "tidy-everything"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
  }
}

# Server access logs go to a second bucket, itself private, encrypted and versioned. S3 delivers server access logs
# only to a bucket encrypted with SSE-S3 (AES256), not SSE-KMS, and, with ACLs disabled (BucketOwnerEnforced), only
# where the bucket policy lets the logging service write: both below, or no log is ever delivered.
resource "aws_s3_bucket" "access_logs" {
  bucket = "${var.bucket_name}-access-logs"
  #checkov:skip=CKV_AWS_144:Access logs need no replica.
  #checkov:skip=CKV2_AWS_62:No consumer listens to access-log events.
  #checkov:skip=CKV_AWS_18:This is the log bucket; logging it would loop.
  #checkov:skip=CKV_AWS_145:S3 server access logging delivers only to SSE-S3 (AES256) buckets; SSE-KMS is not supported.
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# The S3 logging service may write the landing bucket's logs under their prefix, for that bucket and account only;
# nothing reaches the log bucket without TLS.
data "aws_iam_policy_document" "access_logs" {
  source_policy_documents = [data.aws_iam_policy_document.tls_only["access_logs"].json]
  statement {
    sid       = "S3ServerAccessLogsDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/${local.access_log_prefix}*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.landing.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  policy     = data.aws_iam_policy_document.access_logs.json
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256" # the only default encryption log delivery supports
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = 90
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
  }
}

resource "aws_s3_bucket_logging" "landing" {
  bucket        = aws_s3_bucket.landing.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = local.access_log_prefix
}

locals {
  access_log_prefix = "landing/"
}

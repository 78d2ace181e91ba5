variable "region" {
  description = "AWS region of the landing bucket (use the Snowflake account's region to avoid egress charges)."
  type        = string
  default     = "us-east-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1 or eu-west-2."
  }
}

variable "bucket_name" {
  description = "Name of the landing bucket (C360_S3_BUCKET). Globally unique, 3-51 lowercase characters (its log bucket appends -access-logs)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,49}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "bucket_name must be 3-51 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (the access-log bucket appends -access-logs, and S3 allows 63)."
  }
}

variable "snowflake_iam_user_arn" {
  description = "STORAGE_AWS_IAM_USER_ARN from `DESC STORAGE INTEGRATION` (step 3 of the handshake). Before the integration exists, leave the default: the role then trusts only this account."
  type        = string
  default     = ""
  validation {
    condition     = var.snowflake_iam_user_arn == "" || can(regex("^arn:aws:iam::[0-9]{12}:user/.+$", var.snowflake_iam_user_arn))
    error_message = "snowflake_iam_user_arn must be an IAM user ARN (arn:aws:iam::<12 digits>:user/...) or empty."
  }
}

variable "snowflake_external_id" {
  description = "STORAGE_AWS_EXTERNAL_ID from `DESC STORAGE INTEGRATION`: the role can only be assumed with it."
  type        = string
  default     = "pending-snowflake-integration"
  validation {
    condition     = length(var.snowflake_external_id) >= 2 && length(var.snowflake_external_id) <= 1224
    error_message = "snowflake_external_id must be 2-1224 characters (Snowflake's is like ABC12345_SFCRole=2_abc...)."
  }
}

variable "role_name" {
  description = "Name of the IAM role Snowflake assumes (its ARN goes to C360_AWS_ROLE_ARN)."
  type        = string
  default     = "customer360-snowflake-stage"
  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "streaming_retention_days" {
  description = "Days a streaming day's files stay in the landing bucket after they are loaded into bronze."
  type        = number
  default     = 30
  validation {
    condition     = var.streaming_retention_days >= 1 && var.streaming_retention_days <= 3650
    error_message = "streaming_retention_days must be between 1 and 3650."
  }
}

variable "staging_retention_days" {
  description = "Days replication batch files under staging/ are kept after they land (C360_STAGING_CLEANUP=keep leaves them to this rule)."
  type        = number
  default     = 7
  validation {
    condition     = var.staging_retention_days >= 1 && var.staging_retention_days <= 365
    error_message = "staging_retention_days must be between 1 and 365."
  }
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept (versioning lets you recover a bad upload)."
  type        = number
  default     = 30
  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default = {
    project = "customer360"
  }
}

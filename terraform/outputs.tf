output "bucket_name" {
  description = "C360_S3_BUCKET"
  value       = aws_s3_bucket.landing.bucket
}

output "role_arn" {
  description = "C360_AWS_ROLE_ARN: STORAGE_AWS_ROLE_ARN of the storage integration (snowflake_setup/03)."
  value       = aws_iam_role.snowflake_stage.arn
}

output "kms_key_arn" {
  description = "Key that encrypts the landing bucket; writers need kms:GenerateDataKey on it."
  value       = aws_kms_key.landing.arn
}

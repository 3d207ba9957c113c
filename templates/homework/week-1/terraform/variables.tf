# Values used by main.tf. Override any of them on the command line: terraform plan -var="project=my-id"

variable "project" {
  description = "Your GCP project ID (the ID, not the project's display name)"
  type        = string
  default     = "{{gcp_project}}"
}

variable "region" {
  description = "Region of the bucket and the dataset; pick one near you (https://cloud.google.com/about/locations)"
  type        = string
  default     = "{{region}}"
}

variable "storage_class" {
  description = "Storage class of the data lake bucket"
  type        = string
  default     = "STANDARD"
}

variable "bq_dataset" {
  description = "BigQuery dataset the raw trip data is loaded into"
  type        = string
  default     = "trips_data_all"
}

//! Footprint comparison: the tokio-based openstack_sdk doing what quickstart's read-only mode
//! does (authenticate from OS_* variables, list volumes, print them).
use openstack_sdk::api::block_storage::v3::volume::list_detailed;
use openstack_sdk::api::{paged, Pagination, QueryAsync};
use openstack_sdk::config::CloudConfig;
use openstack_sdk::AsyncOpenStack;
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let profile = CloudConfig::from_env()?;
    let client = AsyncOpenStack::new(&profile).await?;
    let ep = list_detailed::Request::builder().build()?;
    let data: Vec<Value> = paged(ep, Pagination::All).query_async(&client).await?;
    println!("{} volumes", data.len());
    Ok(())
}

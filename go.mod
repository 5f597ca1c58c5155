module github.com/augurdb/augur

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/jackc/pgerrcode v0.0.0-20250907135507-afb5586c32a6
	github.com/spf13/pflag v1.1.0
)

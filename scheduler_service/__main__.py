from scheduler_service.cli import main

main()

from meetups import create_app

app = create_app()
